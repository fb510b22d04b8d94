/**
 * Read a request body as text, refusing (413) anything over `limitBytes` without reading past it.
 * Inbound webhooks are small; a huge body is an attack or a mistake.
 */
export async function readBodyWithLimit(request: Request, limitBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (Number(declared ?? "0") > limitBytes) throw new Response("Payload too large", { status: 413 });
  if (!request.body) return "";
  // With a declared length within the limit, the stream cannot exceed it: read it in one go.
  if (declared !== null) return request.text();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel();
      throw new Response("Payload too large", { status: 413 });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
