import { ShopifyAdminClient } from "~/adapters/shopify-admin/client.server";
import { ordersWithTrackingQuery, ShopifyBulkOperations, streamJsonl } from "~/adapters/shopify-admin/bulk-operations.server";
import { isBulkChildLine, snapshotsFromBulkLine } from "~/adapters/shopify-admin/fulfillment-payloads";
import { desiredTracking, type FulfillmentSnapshot } from "~/domain/fulfillment";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import type { ServiceContext } from "./context.server";
import { ingestInTransaction } from "./ingest-fulfillment.server";
import { loadShopRouting } from "./provider-routing.server";

/**
 * Backfill: read the shop's orders of the last N days through one Admin GraphQL bulk
 * operation and ingest their fulfillments exactly like webhooks. Each call advances the run by
 * one step (start, check, or download) and the job queue calls it again until it is done, so a
 * crash resumes where the progress record says it was.
 */

export type BackfillStepResult =
  | { result: "SKIPPED_SHOP_INACTIVE" | "ALREADY_FINISHED" }
  | { result: "WAITING_FOR_SHOPIFY"; checkAgainInMs: number }
  | { result: "COMPLETED"; orders: number; trackingNumbers: number }
  | { result: "FAILED"; error: string };

/** Lines per transaction while ingesting: large enough to be fast, small enough to keep locks short. */
const LINES_PER_TRANSACTION = 200;
const POLL_INTERVAL_MS = 2_000;

export async function runBackfillStep(ctx: ServiceContext, runId: string): Promise<BackfillStepResult> {
  const run = await ctx.db.prisma.backfillRun.findUniqueOrThrow({ where: { id: runId }, include: { shop: true } });
  if (run.state === "completed" || run.state === "failed") return { result: "ALREADY_FINISHED" };
  if (run.shop.uninstalledAt) {
    await finish(ctx, runId, "failed", "the app was uninstalled");
    return { result: "SKIPPED_SHOP_INACTIVE" };
  }
  const bulk = new ShopifyBulkOperations(new ShopifyAdminClient(await ctx.shopifyAdmin(run.shop.domain)));

  let operationId = run.bulkOperationId;
  if (!operationId) {
    const started = await bulk.start(ordersWithTrackingQuery(run.sinceDate));
    // "Already in progress" after a crash between starting and saving means the running one is ours.
    operationId = started.kind === "started" ? started.id : (started.runningId ?? (await bulk.current())?.id ?? null);
    if (!operationId) return { result: "WAITING_FOR_SHOPIFY", checkAgainInMs: POLL_INTERVAL_MS };
    await ctx.db.prisma.backfillRun.update({
      where: { id: runId },
      data: { bulkOperationId: operationId, state: "waiting_for_shopify", startedAt: run.startedAt ?? ctx.clock.now() },
    });
  }

  const operation = await bulk.get(operationId);
  if (!operation) return fail(ctx, runId, `bulk operation ${operationId} no longer exists`);
  if (operation.status === "CREATED" || operation.status === "RUNNING") {
    await ctx.db.prisma.backfillRun.update({ where: { id: runId }, data: { totalObjects: operation.objectCount ?? null } });
    return { result: "WAITING_FOR_SHOPIFY", checkAgainInMs: POLL_INTERVAL_MS };
  }
  if (operation.status !== "COMPLETED") return fail(ctx, runId, `Shopify bulk operation ${operation.status.toLowerCase()} (${operation.errorCode ?? "no error code"})`);

  await ctx.db.prisma.backfillRun.update({
    where: { id: runId },
    data: { state: "downloading", totalObjects: operation.objectCount ?? 0, totalBytes: operation.fileSize ?? 0 },
  });
  // An empty result has no file at all.
  if (operation.url) await ingestJsonl(ctx, run.shop, runId, operation.url, run.linesProcessed);

  const finished = await finish(ctx, runId, "completed", null);
  await enqueueJob(ctx.db, ctx.clock.now(), JOB_TYPES.registerShipments, { shopId: run.shopId }, { shopId: run.shopId, singletonKey: `register:${run.shopId}` });
  return { result: "COMPLETED", orders: finished.ordersProcessed, trackingNumbers: finished.trackingNumbersFound };
}

/** An order's line and the line-item lines after it: ingested together, counted as all their lines. */
interface OrderLines {
  line: unknown;
  children: unknown[];
}

async function ingestJsonl(
  ctx: ServiceContext,
  shop: { id: string },
  runId: string,
  url: string,
  alreadyProcessed: number,
): Promise<void> {
  let lineNumber = 0;
  let bytesRead = 0;
  let pending: OrderLines[] = [];
  let pendingLines = 0;
  let current: OrderLines | null = null;

  const flush = async () => {
    if (pending.length === 0) return;
    const groups = pending;
    const lineCount = pendingLines;
    pending = [];
    pendingLines = 0;
    await ctx.db.prisma.$transaction(async (tx) => {
      const routing = await loadShopRouting(tx, shop.id);
      let orders = 0;
      let trackingNumbers = 0;
      for (const group of groups) {
        const snapshots: FulfillmentSnapshot[] = snapshotsFromBulkLine(group.line, group.children);
        if (snapshots.length > 0) orders++;
        for (const snapshot of snapshots) {
          trackingNumbers += desiredTracking(snapshot).length;
          await ingestInTransaction(ctx, tx, shop, snapshot, routing);
        }
      }
      // Progress moves in the same transaction as the data, so a resumed run skips exactly what was
      // stored; only whole orders are committed, so it always resumes at an order's line.
      await tx.backfillRun.update({
        where: { id: runId },
        data: {
          linesProcessed: { increment: lineCount },
          ordersProcessed: { increment: orders },
          trackingNumbersFound: { increment: trackingNumbers },
          bytesRead,
        },
      });
    });
  };
  const complete = (group: OrderLines) => {
    pending.push(group);
    pendingLines += 1 + group.children.length;
  };

  for await (const line of streamJsonl(url, (bytes) => (bytesRead = bytes))) {
    lineNumber++;
    if (lineNumber <= alreadyProcessed) continue;
    if (current && isBulkChildLine(line)) {
      current.children.push(line);
      continue;
    }
    // A new order: the one before it has all its lines.
    if (current) complete(current);
    current = { line, children: [] };
    if (pendingLines >= LINES_PER_TRANSACTION) await flush();
  }
  if (current) complete(current);
  await flush();
}

async function finish(ctx: ServiceContext, runId: string, state: "completed" | "failed", error: string | null) {
  return ctx.db.prisma.backfillRun.update({ where: { id: runId }, data: { state, error, finishedAt: ctx.clock.now() } });
}

async function fail(ctx: ServiceContext, runId: string, error: string): Promise<BackfillStepResult> {
  await finish(ctx, runId, "failed", error);
  return { result: "FAILED", error };
}
