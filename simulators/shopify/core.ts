import type { BulkEngine } from "./bulk";
import type { IdAllocator, ModelContext, ShopRecord } from "./model";
import type { WebhookSender } from "./webhooks";

/** State shared by the HTTP handlers, the GraphQL resolvers and the in-process API. */

export interface GraphqlCallRecord {
  shop: string;
  version: string;
  operationName: string | null;
  query: string;
  variables: Record<string, unknown> | null;
  status: number;
  throttled: boolean;
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  at: string;
}

export interface ResolvedOptions {
  apiSecretKey: string;
  appUrl: string | null;
  bulkOperationDurationMs: number;
  webhookRetryBaseMs: number;
  webhookTimeoutMs: number;
  webhookApiVersion: string;
  /** Topics the app is subscribed to; model-driven webhooks are only sent for these. */
  webhookTopics: Set<string>;
  bulkQueryConcurrency(version: string): number;
  apiVersions: ReadonlySet<string>;
  now(): Date;
}

export interface SimCore {
  options: ResolvedOptions;
  ids: IdAllocator;
  model: ModelContext;
  shops: Map<string, ShopRecord>;
  /** The simulator's own origin, for bulk result URLs. */
  baseUrl: string;
  webhooks: WebhookSender;
  bulk: BulkEngine;
  graphqlCalls: GraphqlCallRecord[];
  signingKey: Buffer;
}
