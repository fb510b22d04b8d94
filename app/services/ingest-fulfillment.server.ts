import { ShopifyAdminClient } from "~/adapters/shopify-admin/client.server";
import { fulfillmentLineItemImages } from "~/adapters/shopify-admin/fulfillment-line-items.server";
import type { TransactionClient } from "~/db/database.server";
import { resolveCarrier } from "~/domain/carriers/detect";
import { trackingUrlFor } from "~/domain/carriers/registry";
import { desiredTracking, diffTrackingNumbers, isActiveFulfillment, type FulfillmentSnapshot, type FulfillmentTracking } from "~/domain/fulfillment";
import { JOB_TYPES } from "~/jobs/job-types";
import { enqueueJob } from "~/jobs/queue.server";
import { adjustStatusCount } from "~/models/shipment-status-counts.server";
import type { ServiceContext } from "./context.server";
import { loadShopRouting, providerFor, type ShopRouting } from "./provider-routing.server";
import { enqueueStopForShipment } from "./stop-provider-tracking.server";

/**
 * Bring our copy of one fulfillment in line with Shopify's: new tracking numbers become
 * shipments waiting for registration, numbers that disappeared (edited, or the fulfillment was
 * cancelled) stop being tracked unless another fulfillment still carries them.
 * Idempotent: the same snapshot twice changes nothing the second time, and an older snapshot
 * than the one we hold (out-of-order webhooks, a backfill racing a webhook) is ignored.
 */

export type IngestResult =
  | { result: "SKIPPED_SHOP_INACTIVE" }
  | { result: "IGNORED_STALE" }
  | { result: "APPLIED"; added: string[]; removed: string[]; stopped: string[] };

export async function ingestFulfillment(ctx: ServiceContext, shopDomain: string, snapshot: FulfillmentSnapshot): Promise<IngestResult> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { domain: shopDomain } });
  if (!shop || shop.uninstalledAt) return { result: "SKIPPED_SHOP_INACTIVE" };
  // Outside the transaction: a call to Shopify must not hold the database.
  const withImages = await withLineItemImages(ctx, shop, snapshot);
  return ctx.db.prisma.$transaction((tx) => ingestInTransaction(ctx, tx, shop, withImages));
}

/**
 * Line items with their product images, for the tracking page. Webhook payloads carry none, so
 * Shopify is asked once per fulfillment: later deliveries of the same fulfillment reuse what was
 * stored. Best effort: without images the fulfillment is still ingested (and asked again next time).
 */
async function withLineItemImages(ctx: ServiceContext, shop: { id: string; domain: string }, snapshot: FulfillmentSnapshot): Promise<FulfillmentSnapshot> {
  const items = snapshot.lineItems;
  if (!items || items.every((item) => item.imageUrl !== undefined)) return snapshot;
  const stored = await ctx.db.prisma.fulfillment.findUnique({
    where: { shopId_shopifyFulfillmentId: { shopId: shop.id, shopifyFulfillmentId: snapshot.shopifyFulfillmentId } },
    select: { lineItems: true },
  });
  const known = storedImages(stored?.lineItems ?? null);
  const fill = (images: ReadonlyMap<string, string | null>, fallback: null | undefined) => ({
    ...snapshot,
    lineItems: items.map((item) => ({ ...item, imageUrl: item.imageUrl !== undefined ? item.imageUrl : images.has(item.id) ? images.get(item.id)! : fallback })),
  });
  if (items.every((item) => item.imageUrl !== undefined || known.has(item.id))) return fill(known, undefined);
  try {
    const fetched = await fulfillmentLineItemImages(new ShopifyAdminClient(await ctx.shopifyAdmin(shop.domain)), snapshot.shopifyFulfillmentId);
    // An item Shopify did not list has no image to show: null, so that it is not asked again.
    return fill(new Map([...known, ...fetched]), null);
  } catch (error) {
    ctx.log.warn(
      { shop: shop.domain, fulfillmentId: snapshot.shopifyFulfillmentId, reason: error instanceof Error ? error.message : String(error) },
      "line item images not fetched; ingesting without them",
    );
    return fill(known, undefined);
  }
}

/** Images already stored for a fulfillment's items (looked up earlier), by line item id. */
function storedImages(lineItemsJson: string | null): Map<string, string | null> {
  const images = new Map<string, string | null>();
  if (!lineItemsJson) return images;
  try {
    const parsed: unknown = JSON.parse(lineItemsJson);
    if (!Array.isArray(parsed)) return images;
    for (const item of parsed as Array<Record<string, unknown>>) {
      if (typeof item?.id === "string" && (typeof item.imageUrl === "string" || item.imageUrl === null)) images.set(item.id, item.imageUrl);
    }
  } catch {
    // Unreadable stored JSON: look the images up again.
  }
  return images;
}

/** For the backfill, which batches many snapshots into one transaction. */
export async function ingestInTransaction(
  ctx: ServiceContext,
  tx: TransactionClient,
  shop: { id: string },
  snapshot: FulfillmentSnapshot,
  /** The shop's routing, when the caller ingests many snapshots in a row; read here otherwise. */
  knownRouting?: ShopRouting,
): Promise<IngestResult> {
  const now = ctx.clock.now();
  const existing = await tx.fulfillment.findUnique({
    where: { shopId_shopifyFulfillmentId: { shopId: shop.id, shopifyFulfillmentId: snapshot.shopifyFulfillmentId } },
    include: { shipments: { include: { shipment: { select: { id: true, trackingNumber: true } } } } },
  });
  if (existing?.shopifyUpdatedAt && snapshot.updatedAt && snapshot.updatedAt < existing.shopifyUpdatedAt) {
    return { result: "IGNORED_STALE" };
  }

  const order = await upsertOrder(tx, shop.id, snapshot);
  const fulfillmentData = {
    name: snapshot.fulfillmentName ?? existing?.name ?? null,
    status: snapshot.status,
    trackingCompany: snapshot.tracking[0]?.company ?? null,
    shopifyUpdatedAt: snapshot.updatedAt ?? existing?.shopifyUpdatedAt ?? null,
    ...(snapshot.lineItems ? { lineItems: JSON.stringify(snapshot.lineItems) } : {}),
  };
  const fulfillment = existing
    ? await tx.fulfillment.update({ where: { id: existing.id }, data: fulfillmentData })
    : await tx.fulfillment.create({
        data: { ...fulfillmentData, shopId: shop.id, orderId: order.id, shopifyFulfillmentId: snapshot.shopifyFulfillmentId },
      });

  const desired = desiredTracking(snapshot);
  const linked = existing?.shipments.map((link) => link.shipment) ?? [];
  const { added, removed } = diffTrackingNumbers(
    linked.map((shipment) => shipment.trackingNumber),
    desired.map((entry) => entry.number),
  );

  let needsRegistration = false;
  let created = 0;
  const routing = added.length > 0 ? (knownRouting ?? (await loadShopRouting(tx, shop.id))) : null;
  for (const number of added) {
    const entry = desired.find((candidate) => candidate.number === number)!;
    const { shipmentId, waitsForRegistration, isNew } = await addShipment(tx, shop.id, routing!, entry, snapshot.destinationCountry, now);
    if (isNew) created++;
    await lockShipment(ctx, tx, shipmentId);
    await tx.shipmentFulfillment.upsert({
      where: { shipmentId_fulfillmentId: { shipmentId, fulfillmentId: fulfillment.id } },
      create: { shipmentId, fulfillmentId: fulfillment.id },
      update: {},
    });
    needsRegistration ||= waitsForRegistration;
  }

  const stopped: string[] = [];
  const stopReason = isActiveFulfillment(snapshot.status) ? "tracking_number_removed" : "fulfillment_cancelled";
  for (const number of removed) {
    const shipment = linked.find((candidate) => candidate.trackingNumber === number)!;
    await lockShipment(ctx, tx, shipment.id);
    await tx.shipmentFulfillment.delete({ where: { shipmentId_fulfillmentId: { shipmentId: shipment.id, fulfillmentId: fulfillment.id } } });
    if (await stopIfOrphaned(tx, shop.id, shipment.id, stopReason, now)) stopped.push(number);
  }

  if (needsRegistration) {
    await enqueueJob(tx, now, JOB_TYPES.registerShipments, { shopId: shop.id }, { shopId: shop.id, singletonKey: `register:${shop.id}` });
  }
  // Last, so the shop's counter row (every ingest of the shop writes it) is locked only until the commit.
  await adjustStatusCount(tx, shop.id, "pending", created);
  return { result: "APPLIED", added, removed, stopped };
}

/**
 * On PostgreSQL, one fulfillment dropping a number while another adds it could otherwise both
 * commit, leaving the number linked but stopped: adding and removing links serialise on the
 * shipment's row. (SQLite transactions are serialised already.)
 */
async function lockShipment(ctx: ServiceContext, tx: TransactionClient, shipmentId: string): Promise<void> {
  if (ctx.db.dialect !== "postgresql") return;
  await tx.$queryRaw`SELECT "id" FROM "Shipment" WHERE "id" = ${shipmentId} FOR UPDATE`;
}

async function upsertOrder(tx: TransactionClient, shopId: string, snapshot: FulfillmentSnapshot) {
  const where = { shopId_shopifyOrderId: { shopId, shopifyOrderId: snapshot.shopifyOrderId } };
  const current = await tx.order.findUnique({ where });
  // After customers/redact we never store this customer's details again for the order.
  const customer = current?.redactedAt ? null : snapshot.customer;
  const data = {
    name: snapshot.orderName ?? current?.name ?? null,
    destinationCountry: snapshot.destinationCountry ?? current?.destinationCountry ?? null,
    ...(customer
      ? {
          email: customer.email ?? current?.email ?? null,
          phone: customer.phone ?? current?.phone ?? null,
          customerFirstName: customer.firstName ?? current?.customerFirstName ?? null,
          shopifyCustomerId: customer.shopifyCustomerId ?? current?.shopifyCustomerId ?? null,
          locale: customer.locale ?? current?.locale ?? null,
        }
      : {}),
  };
  return current
    ? tx.order.update({ where: { id: current.id }, data })
    : tx.order.create({ data: { ...data, shopId, shopifyOrderId: snapshot.shopifyOrderId } });
}

async function addShipment(
  tx: TransactionClient,
  shopId: string,
  routing: ShopRouting,
  entry: FulfillmentTracking,
  destinationCountry: string | null,
  now: Date,
): Promise<{ shipmentId: string; waitsForRegistration: boolean; isNew: boolean }> {
  const existing = await tx.shipment.findUnique({ where: { shopId_trackingNumber: { shopId, trackingNumber: entry.number } } });
  if (existing) {
    if (existing.registrationState !== "stopped") return { shipmentId: existing.id, waitsForRegistration: false, isNew: false };
    // A number that comes back (re-added to a fulfillment) resumes where it left off, at the
    // provider that tracks it now.
    const provider = providerFor(routing, existing);
    const resumesRegistration = provider === existing.provider && existing.providerTrackingId !== null;
    await tx.shipment.update({
      where: { id: existing.id },
      data: {
        registrationState: resumesRegistration ? "registered" : "pending",
        stoppedAt: null,
        stopReason: null,
        ...(provider === existing.provider ? {} : { provider, providerTrackingId: null, registeredAt: null, subscriptionExpiresAt: null }),
        version: { increment: 1 },
      },
    });
    return { shipmentId: existing.id, waitsForRegistration: !resumesRegistration, isNew: false };
  }

  const carrier = resolveCarrier({ trackingNumber: entry.number, shopifyCompany: entry.company });
  const carrierCode = carrier.kind === "resolved" ? carrier.carrierCode : null;
  const created = await tx.shipment.create({
    data: {
      shopId,
      trackingNumber: entry.number,
      carrierCode,
      carrierSource: carrier.kind === "resolved" ? carrier.source : null,
      trackingCompany: entry.company,
      trackingUrl: entry.url ?? (carrierCode ? trackingUrlFor(carrierCode, entry.number) : null),
      provider: providerFor(routing, { trackingNumber: entry.number, carrierCode }),
      destinationCountry,
      status: "pending",
      registrationState: "pending",
      createdAt: now,
    },
  });
  return { shipmentId: created.id, waitsForRegistration: true, isNew: true };
}

/** Stop tracking a shipment no fulfillment carries any more. Returns true when it was stopped. */
async function stopIfOrphaned(tx: TransactionClient, shopId: string, shipmentId: string, reason: string, now: Date): Promise<boolean> {
  const remaining = await tx.shipmentFulfillment.count({ where: { shipmentId } });
  if (remaining > 0) return false;
  const shipment = await tx.shipment.update({
    where: { id: shipmentId },
    data: { registrationState: "stopped", stoppedAt: now, stopReason: reason, registrationClaim: null, version: { increment: 1 } },
  });
  // The provider keeps pushing (and may bill) until told to stop.
  await enqueueStopForShipment(tx, now, shipment);
  return true;
}
