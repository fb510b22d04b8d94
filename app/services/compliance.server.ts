import { z } from "zod";
import type { ServiceContext } from "./context.server";
import { forgetEmailSuppressions } from "./unsubscribe-links.server";
import { deleteJobs } from "~/jobs/queue.server";

/**
 * Shopify's mandatory privacy webhooks.
 * @see https://shopify.dev/docs/apps/build/privacy-law-compliance
 * We hold customer personal data only on orders (e-mail, phone, first name, Shopify customer id,
 * locale, for notifications and order lookup); shipments and events hold none.
 */

const id = z.union([z.string(), z.number()]).transform(String);

export const customerRedactPayloadSchema = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: id.nullish(), email: z.string().nullish(), phone: z.string().nullish() }).nullish(),
  orders_to_redact: z.array(id).nullish(),
});
export type CustomerRedactPayload = z.infer<typeof customerRedactPayloadSchema>;

export const customerDataRequestPayloadSchema = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: id.nullish(), email: z.string().nullish(), phone: z.string().nullish() }).nullish(),
  orders_requested: z.array(id).nullish(),
  data_request: z.object({ id: id.nullish() }).nullish(),
});
export type CustomerDataRequestPayload = z.infer<typeof customerDataRequestPayloadSchema>;

export const shopRedactPayloadSchema = z.object({ shop_domain: z.string() });

function customerOrderFilter(shopId: string, customer: CustomerRedactPayload["customer"], orderIds: string[]) {
  const or: Array<Record<string, unknown>> = [];
  if (orderIds.length > 0) or.push({ shopifyOrderId: { in: orderIds } });
  if (customer?.id) or.push({ shopifyCustomerId: customer.id });
  if (customer?.email) or.push({ email: customer.email });
  if (customer?.email && customer.email !== customer.email.toLowerCase()) or.push({ email: customer.email.toLowerCase() });
  return { shopId, OR: or };
}

/** shop/redact: everything we hold for the shop goes (cascades from Shop), plus its sessions and jobs. */
export async function redactShop(ctx: ServiceContext, shopDomain: string): Promise<"REDACTED" | "UNKNOWN_SHOP"> {
  return ctx.db.prisma.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { shop: shopDomain } });
    const shop = await tx.shop.findUnique({ where: { domain: shopDomain } });
    if (!shop) return "UNKNOWN_SHOP";
    await deleteJobs(tx, { shopId: shop.id });
    await tx.shop.delete({ where: { id: shop.id } });
    return "REDACTED";
  });
}

/**
 * customers/redact: the customer's details are erased from their orders; the shipments stay for
 * the merchant's statistics. Orders we have not seen yet get a redacted placeholder, so a
 * webhook still waiting in the queue cannot bring the details back.
 */
export async function redactCustomer(ctx: ServiceContext, payload: CustomerRedactPayload): Promise<{ result: "REDACTED" | "UNKNOWN_SHOP"; orders: number }> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { domain: payload.shop_domain } });
  if (!shop) return { result: "UNKNOWN_SHOP", orders: 0 };
  const orderIds = payload.orders_to_redact ?? [];
  const filter = customerOrderFilter(shop.id, payload.customer, orderIds);
  const now = ctx.clock.now();
  return ctx.db.prisma.$transaction(async (tx) => {
    const redactedOrders = filter.OR.length === 0 ? [] : await tx.order.findMany({ where: filter, select: { id: true, email: true } });
    const updated =
      filter.OR.length === 0
        ? { count: 0 }
        : await tx.order.updateMany({
            where: filter,
            data: { email: null, phone: null, customerFirstName: null, shopifyCustomerId: null, locale: null, redactedAt: now },
          });
    const known = new Set((await tx.order.findMany({ where: { shopId: shop.id, shopifyOrderId: { in: orderIds } }, select: { shopifyOrderId: true } })).map((order) => order.shopifyOrderId));
    for (const shopifyOrderId of orderIds.filter((orderId) => !known.has(orderId))) {
      await tx.order.create({ data: { shopId: shop.id, shopifyOrderId, redactedAt: now } });
    }
    await forgetEmailSuppressions(tx, shop.id, redactedOrders, payload.customer?.email ?? null);
    if (payload.customer?.id) {
      await tx.customerDataRequest.deleteMany({ where: { shopId: shop.id, shopifyCustomerId: payload.customer.id } });
    }
    // Jobs not yet done keep their payload (a retry, a manual replay); those about this customer must go.
    const needles = [payload.customer?.email, payload.customer?.phone].filter((value): value is string => Boolean(value));
    for (const needle of needles) {
      await deleteJobs(tx, { shopId: shop.id, states: ["dead", "queued"], payloadContains: needle });
    }
    return { result: "REDACTED" as const, orders: updated.count };
  });
}

export interface CustomerDataReport {
  customer: { shopifyCustomerId: string | null; email: string | null; phone: string | null };
  orders: Array<{
    shopifyOrderId: string;
    name: string | null;
    email: string | null;
    phone: string | null;
    firstName: string | null;
    locale: string | null;
    shipments: Array<{
      trackingNumber: string;
      carrier: string | null;
      status: string;
      events: number;
      deliveredAt: string | null;
      /** Tracking e-mails sent to the customer about this shipment. */
      emailsSent: Array<{ milestone: string; sentAt: string | null }>;
    }>;
  }>;
}

/** customers/data_request: a report of what we hold, stored for the merchant to pass on. */
export async function collectCustomerData(ctx: ServiceContext, payload: CustomerDataRequestPayload): Promise<{ result: "REPORTED" | "UNKNOWN_SHOP"; reportId?: string; orders: number }> {
  const shop = await ctx.db.prisma.shop.findUnique({ where: { domain: payload.shop_domain } });
  if (!shop) return { result: "UNKNOWN_SHOP", orders: 0 };
  const filter = customerOrderFilter(shop.id, payload.customer, payload.orders_requested ?? []);
  const orders =
    filter.OR.length === 0
      ? []
      : await ctx.db.prisma.order.findMany({
          where: filter,
          include: {
            fulfillments: {
              include: {
                shipments: {
                  include: {
                    shipment: {
                      include: {
                        _count: { select: { events: true } },
                        customerNotifications: { where: { state: "sent" }, orderBy: { sentAt: "asc" }, select: { milestone: true, sentAt: true } },
                      },
                    },
                  },
                },
              },
            },
          },
        });
  const report: CustomerDataReport = {
    customer: { shopifyCustomerId: payload.customer?.id ?? null, email: payload.customer?.email ?? null, phone: payload.customer?.phone ?? null },
    orders: orders.map((order) => ({
      shopifyOrderId: order.shopifyOrderId,
      name: order.name,
      email: order.email,
      phone: order.phone,
      firstName: order.customerFirstName,
      locale: order.locale,
      // A split shipment (one number on two fulfillments) is one shipment.
      shipments: [
        ...new Map(order.fulfillments.flatMap((fulfillment) => fulfillment.shipments.map(({ shipment }) => [shipment.id, shipment] as const))).values(),
      ].map((shipment) => ({
        trackingNumber: shipment.trackingNumber,
        carrier: shipment.carrierCode,
        status: shipment.status,
        events: shipment._count.events,
        deliveredAt: shipment.deliveredAt?.toISOString() ?? null,
        emailsSent: shipment.customerNotifications.map((email) => ({ milestone: email.milestone, sentAt: email.sentAt?.toISOString() ?? null })),
      })),
    })),
  };
  const row = await ctx.db.prisma.customerDataRequest.create({
    data: {
      shopId: shop.id,
      shopifyRequestId: payload.data_request?.id ?? null,
      shopifyCustomerId: payload.customer?.id ?? null,
      report: JSON.stringify(report),
    },
  });
  return { result: "REPORTED", reportId: row.id, orders: orders.length };
}
