import { milestoneKeepsCurrentStatus, shopifyEventStatusFor } from "~/adapters/shopify-admin/fulfillment-events.server";
import type { TransactionClient } from "~/db/database.server";
import { milestonesEarned, recordDecision, type EarnedMilestone, type MilestoneSnapshot } from "~/domain/notification-milestones";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import type { ServiceContext } from "./context.server";
import { notificationSettingsFromRow } from "./notification-settings.server";

/**
 * The outbox half of "exactly once": called inside the transaction that applies a tracking update,
 * after the shipment row was updated under its version guard. So updates of one shipment are
 * recorded one after another, and a milestone's rows and jobs commit together with the status
 * change that earned it, or not at all.
 *
 * - A customer e-mail row per earned milestone, unique per (shipment, dedupe key): a replayed,
 *   duplicated or out-of-order update finds it already there and adds nothing. Milestones the
 *   shop switched off, or whose event was already too old when it reached us, are recorded as
 *   skipped (the merchant's e-mail log shows them) and never sent later.
 * - With write-back on, a fulfillment event row per fulfillment of the shipment, unique per
 *   (fulfillment, dedupe key), for milestones Shopify has a status for.
 * Each queued row gets its job in the same transaction; the scheduler re-queues any row whose job
 * went missing (`requeueOrphanedOutboxRows`).
 */

export interface RecordMilestonesInput {
  shopId: string;
  shipmentId: string;
  previous: MilestoneSnapshot;
  next: MilestoneSnapshot;
  now: Date;
}

export interface RecordedMilestones {
  /** New e-mail rows queued for sending. */
  queued: number;
  /** New e-mail rows recorded as skipped (switched off, or stale). */
  skipped: number;
  fulfillmentEventWrites: number;
}

const NOTHING: RecordedMilestones = { queued: 0, skipped: 0, fulfillmentEventWrites: 0 };

export function sendCustomerEmailJobKey(notificationId: string): string {
  return `send-email:${notificationId}`;
}

export function writeFulfillmentEventJobKey(writeId: string): string {
  return `fulfillment-event:${writeId}`;
}

export async function recordShipmentMilestones(tx: TransactionClient, input: RecordMilestonesInput): Promise<RecordedMilestones> {
  const earned = milestonesEarned(input.previous, input.next, input.now);
  if (earned.length === 0) return NOTHING;

  const settings = notificationSettingsFromRow(await tx.shopNotificationSettings.findUnique({ where: { shopId: input.shopId } }));
  const emails = await recordCustomerEmails(tx, input, earned, settings);
  const fulfillmentEventWrites = settings.shopifyWriteBack ? await recordFulfillmentEventWrites(tx, input, earned) : 0;
  return { ...emails, fulfillmentEventWrites };
}

async function recordCustomerEmails(
  tx: TransactionClient,
  input: RecordMilestonesInput,
  earned: readonly EarnedMilestone[],
  settings: ReturnType<typeof notificationSettingsFromRow>,
): Promise<Omit<RecordedMilestones, "fulfillmentEventWrites">> {
  const existing = await tx.customerNotification.findMany({
    where: { shipmentId: input.shipmentId, dedupeKey: { in: earned.map((milestone) => milestone.dedupeKey) } },
    select: { dedupeKey: true },
  });
  const known = new Set(existing.map((row) => row.dedupeKey));
  const fresh = earned.filter((milestone) => !known.has(milestone.dedupeKey));
  if (fresh.length === 0) return { queued: 0, skipped: 0 };

  const rows = await tx.customerNotification.createManyAndReturn({
    data: fresh.map((milestone) => {
      const decision = recordDecision({
        occurredAt: milestone.occurredAt,
        now: input.now,
        enabled: settings.milestones[milestone.milestone].enabled,
        maxEventAgeHours: settings.maxEventAgeHours,
      });
      return {
        shopId: input.shopId,
        shipmentId: input.shipmentId,
        milestone: milestone.milestone,
        dedupeKey: milestone.dedupeKey,
        occurredAt: milestone.occurredAt,
        state: decision.state,
        reason: decision.state === "skipped" ? decision.reason : null,
        createdAt: input.now,
      };
    }),
    select: { id: true, state: true },
  });
  let queued = 0;
  for (const row of rows) {
    if (row.state !== "queued") continue;
    queued++;
    await enqueueJob(tx, input.now, JOB_TYPES.sendCustomerEmail, { notificationId: row.id }, {
      shopId: input.shopId,
      dedupeKey: sendCustomerEmailJobKey(row.id),
    });
  }
  return { queued, skipped: rows.length - queued };
}

async function recordFulfillmentEventWrites(tx: TransactionClient, input: RecordMilestonesInput, earned: readonly EarnedMilestone[]): Promise<number> {
  const mapped = earned.filter((milestone) => shopifyEventStatusFor(milestone.milestone) !== null);
  // A status milestone's event already carries the new estimate. Writing a separate "new date" event
  // for the same update would race it: read before the status lands, it would re-assert the old status
  // at a later time and move Shopify backwards.
  const movesStatus = mapped.some((milestone) => !milestoneKeepsCurrentStatus(milestone.milestone));
  const forShopify = movesStatus ? mapped.filter((milestone) => !milestoneKeepsCurrentStatus(milestone.milestone)) : mapped;
  if (forShopify.length === 0) return 0;
  const fulfillments = await tx.shipmentFulfillment.findMany({
    where: { shipmentId: input.shipmentId },
    select: { fulfillmentId: true, fulfillment: { select: { _count: { select: { shipments: true } } } } },
  });
  if (fulfillments.length === 0) return 0;
  // A fulfillment can carry several parcels, each earning its own milestones: their rows are kept
  // apart by shipment, and the write job decides what Shopify should show for the whole fulfillment.
  const keyFor = (milestone: EarnedMilestone, parcels: number) => (parcels > 1 ? `${milestone.dedupeKey}@${input.shipmentId}` : milestone.dedupeKey);
  const candidates = fulfillments.flatMap(({ fulfillmentId, fulfillment }) =>
    forShopify.map((milestone) => ({ fulfillmentId, milestone, dedupeKey: keyFor(milestone, fulfillment._count.shipments) })),
  );
  const existing = await tx.fulfillmentEventWrite.findMany({
    where: { fulfillmentId: { in: fulfillments.map((row) => row.fulfillmentId) }, dedupeKey: { in: candidates.map((row) => row.dedupeKey) } },
    select: { fulfillmentId: true, dedupeKey: true },
  });
  const known = new Set(existing.map((row) => `${row.fulfillmentId}|${row.dedupeKey}`));
  const data = candidates
    .filter((row) => !known.has(`${row.fulfillmentId}|${row.dedupeKey}`))
    .map(({ fulfillmentId, milestone, dedupeKey }) => ({
      shopId: input.shopId,
      shipmentId: input.shipmentId,
      fulfillmentId,
      milestone: milestone.milestone,
      dedupeKey,
      happenedAt: milestone.occurredAt,
      createdAt: input.now,
    }));
  if (data.length === 0) return 0;
  const rows = await tx.fulfillmentEventWrite.createManyAndReturn({ data, select: { id: true } });
  for (const row of rows) {
    await enqueueJob(tx, input.now, JOB_TYPES.writeFulfillmentEvent, { writeId: row.id }, {
      shopId: input.shopId,
      dedupeKey: writeFulfillmentEventJobKey(row.id),
    });
  }
  return rows.length;
}

/**
 * Outbox rows still queued a minute after they were written whose job is gone (pruned, cancelled,
 * lost to a bug): queue the job again. The job's dedupe key makes this a no-op while it exists.
 * Queued rows are normally sent within seconds, so the set looked at stays small.
 */
export async function requeueOrphanedOutboxRows(ctx: ServiceContext, olderThanMs = 60_000): Promise<number> {
  const now = ctx.clock.now();
  const before = new Date(now.getTime() - olderThanMs);
  const prisma = ctx.db.prisma;
  const shops = await prisma.shop.findMany({ where: { uninstalledAt: null }, select: { id: true } });
  let requeued = 0;
  for (const shop of shops) {
    // Per shop: the (shopId, state, createdAt) index answers it.
    const emails = await prisma.customerNotification.findMany({
      where: { shopId: shop.id, state: "queued", createdAt: { lt: before } },
      select: { id: true },
      take: 1_000,
    });
    for (const row of emails) {
      const result = await enqueueJob(ctx.db, now, JOB_TYPES.sendCustomerEmail, { notificationId: row.id }, { shopId: shop.id, dedupeKey: sendCustomerEmailJobKey(row.id) });
      if (result === "ENQUEUED") requeued++;
    }
  }
  const writes = await prisma.fulfillmentEventWrite.findMany({
    where: { state: "queued", createdAt: { lt: before }, shop: { uninstalledAt: null } },
    select: { id: true, shopId: true },
    take: 1_000,
  });
  for (const row of writes) {
    const result = await enqueueJob(ctx.db, now, JOB_TYPES.writeFulfillmentEvent, { writeId: row.id }, { shopId: row.shopId, dedupeKey: writeFulfillmentEventJobKey(row.id) });
    if (result === "ENQUEUED") requeued++;
  }
  return requeued;
}
