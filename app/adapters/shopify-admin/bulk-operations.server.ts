import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import { BadResponseError, ServiceUnavailableError } from "~/domain/errors";
import type { ShopifyAdminClient } from "./client.server";

/**
 * Bulk operations: Shopify runs a query over the whole shop asynchronously and hands back a
 * JSONL file. @see https://shopify.dev/docs/api/usage/bulk-operations/queries
 */

const RUN_BULK_QUERY = `#graphql
  mutation RunBulkQuery($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation { id status }
      userErrors { field message }
    }
  }`;

const BULK_OPERATION_FIELDS = "id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt";

const BULK_OPERATION_BY_ID = `#graphql
  query BulkOperationById($id: ID!) {
    node(id: $id) { ... on BulkOperation { ${BULK_OPERATION_FIELDS} } }
  }`;

const CURRENT_BULK_OPERATION = `#graphql
  query CurrentBulkOperation {
    currentBulkOperation(type: QUERY) { ${BULK_OPERATION_FIELDS} }
  }`;

const bulkOperationSchema = z.object({
  id: z.string(),
  status: z.string(),
  errorCode: z.string().nullish(),
  objectCount: z.coerce.number().nullish(),
  rootObjectCount: z.coerce.number().nullish(),
  fileSize: z.coerce.number().nullish(),
  url: z.string().nullish(),
  partialDataUrl: z.string().nullish(),
});
export type BulkOperation = z.infer<typeof bulkOperationSchema>;

const runResultSchema = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string(), status: z.string() }).nullish(),
    userErrors: z.array(z.object({ field: z.array(z.string()).nullish(), message: z.string() })),
  }),
});

export type StartResult = { kind: "started"; id: string } | { kind: "busy"; runningId: string | null; message: string };

/**
 * The query behind the backfill: orders created since `since`, with their fulfillments and
 * tracking inline (plain list fields), each order's line followed by one line per line item
 * (a connection, with `__parentId`): titles, quantities and images for the tracking page.
 */
export function ordersWithTrackingQuery(since: Date): string {
  // The exact instant, quoted: a bare date would be read as midnight in the shop's time zone.
  const instant = since.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `{
  orders(query: "created_at:>='${instant}'") {
    edges { node {
      id legacyResourceId name email phone createdAt
      customer { id firstName locale }
      shippingAddress { countryCodeV2 }
      fulfillments(first: 250) { id legacyResourceId status createdAt updatedAt trackingInfo(first: 50) { number company url } }
      lineItems { edges { node { id title variantTitle sku quantity unfulfilledQuantity image { url } } } }
    } }
  }
}`;
}

export class ShopifyBulkOperations {
  constructor(private readonly client: ShopifyAdminClient) {}

  async start(query: string): Promise<StartResult> {
    const result = await this.client.request(RUN_BULK_QUERY, { query }, runResultSchema);
    const { bulkOperation, userErrors } = result.bulkOperationRunQuery;
    if (bulkOperation && userErrors.length === 0) return { kind: "started", id: bulkOperation.id };
    const message = userErrors.map((error) => error.message).join("; ");
    if (/already in progress/i.test(message)) {
      const runningId = /gid:\/\/shopify\/BulkOperation\/\d+/.exec(message)?.[0] ?? null;
      return { kind: "busy", runningId, message };
    }
    throw new BadResponseError(`Shopify refused the bulk query: ${message}`, { service: "shopify" });
  }

  async get(id: string): Promise<BulkOperation | null> {
    const result = await this.client.request(BULK_OPERATION_BY_ID, { id }, z.object({ node: bulkOperationSchema.nullish() }));
    return result.node ?? null;
  }

  async current(): Promise<BulkOperation | null> {
    const result = await this.client.request(CURRENT_BULK_OPERATION, {}, z.object({ currentBulkOperation: bulkOperationSchema.nullish() }));
    return result.currentBulkOperation ?? null;
  }
}

/**
 * Read a JSONL result line by line as it downloads, so memory stays flat however big the shop
 * is: the body is pulled chunk by chunk (the download waits while a chunk's lines are
 * processed) and only the current partial line is kept. `onProgress` receives bytes read so far.
 */
export async function* streamJsonl(url: string, onProgress: (bytesRead: number) => void): AsyncGenerator<unknown> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ServiceUnavailableError("Could not download the bulk operation result", { service: "shopify", cause: error });
  }
  if (!response.ok || !response.body) {
    throw new ServiceUnavailableError(`Bulk result download failed (HTTP ${response.status})`, { service: "shopify", status: response.status });
  }
  const decoder = new TextDecoder();
  let bytesRead = 0;
  let partial = "";
  const parse = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch (error) {
      throw new BadResponseError("Bulk result contained a line that is not JSON", { service: "shopify", cause: error });
    }
  };
  // A Node stream, iterated, pulls one chunk at a time: the download waits while lines are processed.
  const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    bytesRead += chunk.byteLength;
    onProgress(bytesRead);
    const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim()) yield parse(line);
    }
  }
  partial += decoder.decode();
  if (partial.trim()) yield parse(partial);
}
