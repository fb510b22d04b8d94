import type { HeaderReader } from "~/services/receive-webhooks.server";

/**
 * An inbound webhook request reduced to what verification and queueing read. Remix routes build
 * it from a Fetch `Request`; the production server builds it straight from Node's request, so
 * the acknowledgement path allocates no Fetch objects (see server/web.mjs and
 * docs/decisions/0006-webhook-acknowledgement-path.md).
 */
export interface InboundWebhook {
  method: string;
  headers: HeaderReader;
  /** The raw body, already read within the route's size limit. */
  rawBody: string;
}

export interface WebhookReply {
  status: number;
  /** JSON body, when the sender benefits from one. */
  json?: unknown;
  text?: string;
}

export function replyToResponse(reply: WebhookReply): Response {
  if (reply.json !== undefined) return Response.json(reply.json, { status: reply.status });
  return new Response(reply.text ?? null, { status: reply.status });
}

export async function inboundFromRequest(request: Request, readBody: (request: Request) => Promise<string>): Promise<InboundWebhook> {
  return { method: request.method, headers: request.headers, rawBody: request.method === "POST" ? await readBody(request) : "" };
}
