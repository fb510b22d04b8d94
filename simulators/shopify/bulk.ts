import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  execute,
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLError,
  isCompositeType,
  isListType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { SimCore } from "./core";
import { wiredSchema, type GqlContext } from "./graphql";
import { gid, parseGid, type ShopRecord } from "./model";
import { formatDateTime } from "./schema";
import { childSets, collectFields, connectionNodeSets, connectionNodeType, isConnectionType, type WalkContext } from "./selection";

/**
 * Bulk query operations (reference E.3): validated like Shopify validates them, executed against
 * the shop's data in the background in slices of root objects (so tens of thousands of orders do
 * not block the event loop), flattened to JSONL the way Shopify flattens, and served from a signed,
 * expiring URL as a real stream.
 */

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";

export interface BulkOperationRecord {
  kind: "BulkOperation";
  legacyId: number;
  shop: ShopRecord;
  type: "QUERY" | "MUTATION";
  query: string;
  apiVersion: string;
  status: BulkStatus;
  errorCode: string | null;
  createdAt: Date;
  completedAt: Date | null;
  /** performance.now() at creation: progress is measured in real time even when `now` is frozen. */
  startedMs: number;
  durationMs: number;
  lines: number;
  rootLines: number;
  chunks: Buffer[];
  bytes: number;
  generationDone: boolean;
  durationElapsed: boolean;
  fileKey: string;
  expiresAt: Date | null;
  /** Fails the operation at completion with this code (test hook), keeping what was produced as partial data. */
  injectedFailure: string | null;
}

export interface BulkExecution {
  offset: number;
  limit: number;
  /** Root connection response key → nodes returned in this slice. */
  rootCounts: Map<string, number>;
  /** Filtered, sorted root lists survive across slices so every slice sees one consistent order. */
  cache: Map<string, unknown>;
}

export interface SimBulkOperation {
  id: string;
  legacyId: number;
  status: BulkStatus;
  errorCode: string | null;
  type: "QUERY" | "MUTATION";
  query: string;
  apiVersion: string;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  createdAt: string;
  completedAt: string | null;
}

// Small slices keep the event loop responsive for an app running in the same process.
const ROOT_SLICE = 250;
const DOWNLOAD_CHUNK_BYTES = 64 * 1024;
const RESULT_TTL_MS = 7 * 86_400_000;
const ACTIVE: ReadonlySet<BulkStatus> = new Set(["CREATED", "RUNNING", "CANCELING"]);

// ---------------------------------------------------------------------------------------------
// Validation

interface UserError {
  field: string[] | null;
  message: string;
  code: "INVALID" | "LIMIT_REACHED" | "OPERATION_IN_PROGRESS";
}

function invalid(message: string): UserError {
  return { field: ["query"], message, code: "INVALID" };
}

export interface ParsedBulkQuery {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  walk: WalkContext;
}

/**
 * Shopify's bulk rules with its messages: at least one connection, at most five, nesting depth at
 * most two, no connection inside a list field, `edges { node }` rather than `nodes`, no top-level
 * `node`, and a nested connection's parent node must select `id` (it becomes `__parentId`).
 */
export function validateBulkQuery(schema: GraphQLSchema, queryText: string): { errors: UserError[]; parsed?: ParsedBulkQuery } {
  let document: DocumentNode;
  try {
    document = parse(queryText);
  } catch (e) {
    return { errors: [invalid(`Invalid bulk query: ${(e as GraphQLError).message}`)] };
  }
  const validationErrors = validate(schema, document);
  if (validationErrors.length) {
    return {
      errors: validationErrors.map((e) => {
        const m = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(e.message);
        return invalid(`Invalid bulk query: ${m ? `Field '${m[1]}' doesn't exist on type '${m[2]}'` : e.message}`);
      }),
    };
  }
  const operation = getOperationAST(document);
  if (!operation) return { errors: [invalid("Invalid bulk query: the document must contain exactly one operation")] };
  if (operation.operation !== "query") return { errors: [invalid("Invalid operation type. Only `query` operations are supported.")] };
  if (operation.variableDefinitions?.length) return { errors: [invalid("Invalid bulk query: bulk queries cannot use variables")] };

  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const walk: WalkContext = { schema, fragments, variables: {} };

  let connections = 0;
  let maxDepth = 0;
  let connectionInList = false;
  let topLevelNode = false;
  const viaNodes: string[] = [];
  const withoutParentId: string[] = [];

  const selectsId = (type: GraphQLCompositeType, sets: SelectionSetNode[]) =>
    collectFields(walk, type, sets).some((f) => f.key === "id" && f.name === "id" && f.def && getNamedType(f.def.type).name === "ID");

  const visit = (type: GraphQLCompositeType, sets: SelectionSetNode[], depth: number, inList: boolean, parentHasId: boolean) => {
    for (const f of collectFields(walk, type, sets)) {
      if (!f.def) continue;
      const named = getNamedType(f.def.type);
      if (!isCompositeType(named)) continue;
      if (isConnectionType(named)) {
        connections++;
        maxDepth = Math.max(maxDepth, depth + 1);
        if (inList) connectionInList = true;
        if (depth >= 1 && !parentHasId) withoutParentId.push(f.key);
        const { viaEdges, viaNodes: nodesSets } = connectionNodeSets(walk, named, f.nodes);
        if (nodesSets.length) viaNodes.push(f.key);
        const nodeType = connectionNodeType(named);
        const sets2 = [...viaEdges, ...nodesSets];
        visit(nodeType, sets2, depth + 1, false, selectsId(nodeType, sets2));
      } else {
        const list = isListType(getNullableType(f.def.type));
        visit(named, childSets(f.nodes), depth, inList || list, parentHasId);
      }
    }
  };
  const queryType = schema.getQueryType()!;
  for (const f of collectFields(walk, queryType, [operation.selectionSet])) {
    if (f.name === "node" || f.name === "nodes") topLevelNode = true;
  }
  visit(queryType, [operation.selectionSet], 0, false, false);

  const errors: UserError[] = [];
  if (viaNodes.length) {
    errors.push(
      invalid(
        `All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: '${viaNodes[0]} { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: '${viaNodes.join("', '")}'.`,
      ),
    );
  }
  if (topLevelNode) errors.push(invalid("Bulk queries cannot contain a top level `node` field."));
  if (maxDepth > 2) errors.push(invalid("Bulk queries cannot contain connections with a nesting depth greater than 2."));
  if (connections > 5) errors.push(invalid("Bulk queries cannot contain more than 5 connections."));
  if (withoutParentId.length) {
    errors.push(
      invalid(
        `The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': ${withoutParentId.join(", ")}.`,
      ),
    );
  }
  if (connectionInList) errors.push(invalid("Queries that contain a connection field within a list field are not currently supported."));
  if (connections === 0 && (errors.length === 0 || (topLevelNode && errors.length === 1))) {
    errors.push(invalid("Bulk queries must contain at least one connection."));
  }
  return errors.length ? { errors } : { errors, parsed: { document, operation, walk } };
}

// ---------------------------------------------------------------------------------------------
// Flattening

/**
 * One line per connection node, `edges`/`node` wrappers removed. A connection nested in a node
 * becomes separate lines after its parent's line, each with `"__parentId"` (the parent's id) as
 * its last key; the connection's field disappears from the parent line. Plain objects and lists
 * (e.g. `fulfillments`, `trackingInfo`, `customer`) stay inline. Non-connection root objects
 * (e.g. `shop`) are emitted once as lines of their own.
 */
export function flattenBulkResult(
  walk: WalkContext,
  sets: readonly SelectionSetNode[],
  data: Record<string, unknown>,
  includeObjectRoots: boolean,
): { lines: string[]; roots: number } {
  const lines: string[] = [];
  let roots = 0;

  const fill = (obj: Record<string, unknown>, type: GraphQLCompositeType, s: readonly SelectionSetNode[], children: Array<() => void>, ownerId: unknown) => {
    const target: Record<string, unknown> = {};
    for (const f of collectFields(walk, type, s)) {
      if (!(f.key in obj)) continue;
      const value = obj[f.key];
      if (!f.def) {
        target[f.key] = value;
        continue;
      }
      const named = getNamedType(f.def.type);
      if (isConnectionType(named)) {
        const nodeType = connectionNodeType(named);
        const { viaEdges } = connectionNodeSets(walk, named, f.nodes);
        const edges = (value as { edges?: Array<{ node: Record<string, unknown> }> } | null)?.edges ?? [];
        for (const edge of edges) children.push(() => emit(edge.node, nodeType, viaEdges, ownerId));
        continue;
      }
      if (!isCompositeType(named) || value === null || value === undefined) {
        target[f.key] = value;
        continue;
      }
      const sub = childSets(f.nodes);
      target[f.key] = Array.isArray(value)
        ? value.map((v) => (v === null ? null : fill(v as Record<string, unknown>, named, sub, children, ownerId)))
        : fill(value as Record<string, unknown>, named, sub, children, ownerId);
    }
    return target;
  };

  const emit = (obj: Record<string, unknown>, type: GraphQLCompositeType, s: readonly SelectionSetNode[], parentId: unknown) => {
    const children: Array<() => void> = [];
    const line = fill(obj, type, s, children, obj.id);
    if (parentId !== undefined) line.__parentId = parentId;
    lines.push(JSON.stringify(line));
    for (const c of children) c();
  };

  const queryType = walk.schema.getQueryType()!;
  for (const f of collectFields(walk, queryType, sets)) {
    if (!f.def) continue;
    const named = getNamedType(f.def.type);
    const value = data[f.key];
    if (isConnectionType(named)) {
      const nodeType = connectionNodeType(named);
      const { viaEdges } = connectionNodeSets(walk, named, f.nodes);
      for (const edge of (value as { edges?: Array<{ node: Record<string, unknown> }> } | null)?.edges ?? []) {
        emit(edge.node, nodeType, viaEdges, undefined);
        roots++;
      }
    } else if (includeObjectRoots && isCompositeType(named) && value) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v === null) continue;
        emit(v as Record<string, unknown>, named, childSets(f.nodes as FieldNode[]), undefined);
        roots++;
      }
    }
  }
  return { lines, roots };
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

export function bulkFields(core: SimCore, op: BulkOperationRecord) {
  const now = core.options.now();
  let status: BulkStatus = op.status;
  if (status === "COMPLETED" && op.expiresAt && now.getTime() > op.expiresAt.getTime()) status = "EXPIRED";
  const finished = status === "COMPLETED" || status === "FAILED" || status === "CANCELED" || status === "EXPIRED";
  let objectCount = 0;
  if (finished) objectCount = op.lines;
  else if (status === "RUNNING" || status === "CANCELING") {
    const fraction = op.durationMs <= 0 ? 1 : Math.min(1, (performance.now() - op.startedMs) / op.durationMs);
    objectCount = Math.floor(op.lines * fraction);
  }
  const downloadable = op.lines > 0 && op.expiresAt !== null && status !== "EXPIRED";
  return {
    status,
    errorCode: op.errorCode,
    objectCount: String(objectCount),
    rootObjectCount: String(finished ? op.rootLines : Math.min(op.rootLines, objectCount)),
    fileSize: status === "COMPLETED" && op.lines > 0 ? String(op.bytes) : null,
    url: status === "COMPLETED" && downloadable ? core.bulk.signedUrl(op) : null,
    partialDataUrl: status === "FAILED" && downloadable ? core.bulk.signedUrl(op) : null,
    completedAt: op.completedAt,
  };
}

export function snapshotBulkOperation(core: SimCore, op: BulkOperationRecord): SimBulkOperation {
  const f = bulkFields(core, op);
  return {
    id: gid("BulkOperation", op.legacyId),
    legacyId: op.legacyId,
    status: f.status,
    errorCode: f.errorCode,
    type: op.type,
    query: op.query,
    apiVersion: op.apiVersion,
    objectCount: f.objectCount,
    rootObjectCount: f.rootObjectCount,
    fileSize: f.fileSize,
    url: f.url,
    partialDataUrl: f.partialDataUrl,
    createdAt: op.createdAt.toISOString(),
    completedAt: f.completedAt?.toISOString() ?? null,
  };
}

export function runBulkQuery(ctx: GqlContext, queryText: string): { bulkOperation: BulkOperationRecord | null; userErrors: UserError[] } {
  const schema = wiredSchema(ctx.version);
  const { errors, parsed } = validateBulkQuery(schema, queryText);
  if (!parsed) return { bulkOperation: null, userErrors: errors };
  const active = ctx.shop.bulkOperations.filter((b) => b.type === "QUERY" && ACTIVE.has(b.status));
  const limit = ctx.core.options.bulkQueryConcurrency(ctx.version);
  if (active.length >= limit) {
    const message =
      limit === 1
        ? `A bulk query operation for this app and shop is already in progress: ${gid("BulkOperation", active[0]!.legacyId)}.`
        : "Bulk operations limit reached. Please try again later.";
    return { bulkOperation: null, userErrors: [{ field: null, message, code: limit === 1 ? "OPERATION_IN_PROGRESS" : "LIMIT_REACHED" }] };
  }
  const op = ctx.core.bulk.start(ctx.shop, ctx.version, queryText, parsed);
  return { bulkOperation: op, userErrors: [] };
}

export function cancelBulkOperation(ctx: GqlContext, id: string): { bulkOperation: BulkOperationRecord | null; userErrors: Array<{ field: string[] | null; message: string }> } {
  const parsed = parseGid(id);
  if (!parsed) throw new GraphQLError(`Invalid global id '${id}'`, { extensions: { code: "argumentLiteralsIncompatible" } });
  const op = parsed.type === "BulkOperation" ? ctx.shop.bulkOperations.find((b) => b.legacyId === parsed.id) : undefined;
  if (!op) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
  const status = bulkFields(ctx.core, op).status;
  if (status !== "CREATED" && status !== "RUNNING") {
    return { bulkOperation: op, userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${status.toLowerCase()}` }] };
  }
  ctx.core.bulk.cancel(op);
  return { bulkOperation: op, userErrors: [] };
}

interface Hold {
  afterBytes: number;
  released: Promise<void>;
  release(): void;
  markReached(): void;
  reached: Promise<void>;
  done: boolean;
}

export class BulkEngine {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly byKey = new Map<string, BulkOperationRecord>();
  private readonly holds: Hold[] = [];
  private readonly failures = new Map<string, string>();
  private closed = false;

  constructor(private readonly core: SimCore) {}

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, Math.max(0, ms));
    t.unref();
    this.timers.add(t);
  }

  injectFailure(domain: string, errorCode: string): void {
    this.failures.set(domain, errorCode);
  }

  start(shop: ShopRecord, version: string, query: string, parsed: ParsedBulkQuery): BulkOperationRecord {
    const duration = this.core.options.bulkOperationDurationMs;
    const op: BulkOperationRecord = {
      kind: "BulkOperation",
      legacyId: this.core.ids.take("BulkOperation"),
      shop,
      type: "QUERY",
      query,
      apiVersion: version,
      status: "CREATED",
      errorCode: null,
      createdAt: this.core.options.now(),
      completedAt: null,
      startedMs: performance.now(),
      durationMs: duration,
      lines: 0,
      rootLines: 0,
      chunks: [],
      bytes: 0,
      generationDone: false,
      durationElapsed: false,
      fileKey: randomBytes(12).toString("hex"),
      expiresAt: null,
      injectedFailure: this.failures.get(shop.domain) ?? null,
    };
    this.failures.delete(shop.domain);
    shop.bulkOperations.push(op);
    this.byKey.set(op.fileKey, op);
    // Shopify reports CREATED briefly before RUNNING; a poller must cope with both.
    this.later(Math.min(200, duration / 10), () => {
      if (op.status === "CREATED") op.status = "RUNNING";
      void this.generate(op, parsed);
    });
    this.later(duration, () => {
      op.durationElapsed = true;
      this.maybeFinish(op);
    });
    return op;
  }

  private async generate(op: BulkOperationRecord, parsed: ParsedBulkQuery): Promise<void> {
    const schema = wiredSchema(op.apiVersion);
    const bulk: BulkExecution = { offset: 0, limit: ROOT_SLICE, rootCounts: new Map(), cache: new Map() };
    const ctx: GqlContext = { core: this.core, shop: op.shop, version: op.apiVersion, bulk, searchWarnings: [] };
    for (let slice = 0; ; slice++) {
      if (this.closed || op.status === "CANCELING" || op.status === "CANCELED") return;
      bulk.offset = slice * ROOT_SLICE;
      bulk.rootCounts.clear();
      const result = await execute({ schema, document: parsed.document, contextValue: ctx, rootValue: {} });
      if (result.errors?.length || !result.data) {
        op.injectedFailure = "INTERNAL_SERVER_ERROR";
        break;
      }
      const { lines, roots } = flattenBulkResult(parsed.walk, [parsed.operation.selectionSet], result.data as Record<string, unknown>, slice === 0);
      if (lines.length) {
        const buf = Buffer.from(lines.join("\n") + "\n", "utf8");
        op.chunks.push(buf);
        op.bytes += buf.length;
        op.lines += lines.length;
        op.rootLines += roots;
      }
      if (![...bulk.rootCounts.values()].some((n) => n >= ROOT_SLICE)) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    op.generationDone = true;
    this.maybeFinish(op);
  }

  private maybeFinish(op: BulkOperationRecord): void {
    if (!op.generationDone || !op.durationElapsed || op.status !== "RUNNING") return;
    const now = this.core.options.now();
    op.completedAt = now;
    op.expiresAt = new Date(now.getTime() + RESULT_TTL_MS);
    if (op.injectedFailure) {
      op.status = "FAILED";
      op.errorCode = op.injectedFailure;
    } else {
      op.status = "COMPLETED";
    }
    if (this.core.options.webhookTopics.has("bulk_operations/finish")) {
      void this.core.webhooks.send(op.shop.domain, "bulk_operations/finish", {
        admin_graphql_api_id: gid("BulkOperation", op.legacyId),
        completed_at: formatDateTime(now),
        created_at: formatDateTime(op.createdAt),
        error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
        status: op.status.toLowerCase(),
        type: op.type.toLowerCase(),
      });
    }
  }

  cancel(op: BulkOperationRecord): void {
    op.status = "CANCELING";
    this.later(Math.min(200, op.durationMs / 10), () => {
      op.status = "CANCELED";
      op.completedAt = this.core.options.now();
    });
  }

  signedUrl(op: BulkOperationRecord): string {
    const expires = Math.floor(op.expiresAt!.getTime() / 1000);
    const params = new URLSearchParams({
      GoogleAccessId: "shopify-simulator",
      Expires: String(expires),
      Signature: this.sign(op.fileKey, expires),
      "response-content-type": "application/jsonl",
    });
    return `${this.core.baseUrl}/bulk-operation-outputs/${op.fileKey}-final?${params.toString()}`;
  }

  private sign(key: string, expires: number): string {
    return createHmac("sha256", this.core.signingKey).update(`${key}\n${expires}`).digest("base64url");
  }

  hold(afterBytes: number): { release(): void; reached: Promise<void> } {
    let release!: () => void;
    let markReached!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const reached = new Promise<void>((r) => (markReached = r));
    const hold: Hold = {
      afterBytes,
      released,
      reached,
      done: false,
      release: () => {
        hold.done = true;
        const i = this.holds.indexOf(hold);
        if (i >= 0) this.holds.splice(i, 1);
        release();
      },
      markReached: () => markReached(),
    };
    this.holds.push(hold);
    return { release: hold.release, reached };
  }

  /** Serves `/bulk-operation-outputs/<key>-final?...` like a signed storage URL; false if the path is not ours. */
  async handleDownload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const m = /^\/bulk-operation-outputs\/([0-9a-f]+)-final$/.exec(url.pathname);
    if (!m) return false;
    const xml = (status: number, code: string, message: string) => {
      res.writeHead(status, { "content-type": "application/xml; charset=UTF-8" });
      res.end(`<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
    };
    const op = this.byKey.get(m[1]!);
    const expires = Number(url.searchParams.get("Expires"));
    const signature = url.searchParams.get("Signature") ?? "";
    if (!op || !op.expiresAt || !Number.isInteger(expires)) return xml(404, "NoSuchKey", "The specified key does not exist."), true;
    const expected = Buffer.from(this.sign(op.fileKey, expires));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return xml(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."), true;
    }
    if (this.core.options.now().getTime() / 1000 > expires) return xml(400, "ExpiredToken", "The provided token has expired."), true;
    if (req.method !== "GET" && req.method !== "HEAD") return xml(405, "MethodNotAllowed", "The specified method is not allowed."), true;
    res.writeHead(200, {
      "content-type": "application/jsonl",
      "content-length": String(op.bytes),
      "content-disposition": `attachment; filename="bulk-${op.legacyId}.jsonl"`,
    });
    if (req.method === "HEAD") {
      res.end();
      return true;
    }
    const write = (buf: Buffer) =>
      new Promise<void>((resolve, reject) => {
        res.write(buf, (err) => (err ? reject(err) : resolve()));
      });
    let sent = 0;
    try {
      for (const chunk of op.chunks) {
        for (let o = 0; o < chunk.length; ) {
          if (res.destroyed) return true;
          let piece = chunk.subarray(o, Math.min(chunk.length, o + DOWNLOAD_CHUNK_BYTES));
          o += piece.length;
          const hold = this.holds.find((h) => !h.done);
          if (hold && sent + piece.length >= hold.afterBytes) {
            const head = piece.subarray(0, Math.max(0, hold.afterBytes - sent));
            if (head.length) {
              await write(head);
              sent += head.length;
            }
            hold.markReached();
            await hold.released;
            piece = piece.subarray(head.length);
          }
          if (piece.length) {
            await write(piece);
            sent += piece.length;
          }
        }
      }
      res.end();
    } catch {
      res.destroy();
    }
    return true;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const h of [...this.holds]) h.release();
  }
}
