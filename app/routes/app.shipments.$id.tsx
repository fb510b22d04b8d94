import { boundary } from "@shopify/shopify-app-remix/server";
import type { ActionFunctionArgs, LoaderFunctionArgs, HeadersFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, Link, Page, Select, Text } from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import { z } from "zod";
import { providerLabel, STATUS_TONE, statusLabel } from "~/components/shipment-labels";
import { CARRIERS } from "~/domain/carriers/registry";
import type { ShipmentSubstatus } from "~/domain/shipment-status";
import { appContext } from "~/context.server";
import { changeCarrier, refreshShipments, resumeTracking, stopTracking } from "~/services/shipment-actions.server";
import { shipmentDetail, shopIdForDomain, type AttentionReason } from "~/services/shipment-index.server";
import { authenticate } from "~/shopify.server";

const idSchema = z.string().min(1).max(64);

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = idSchema.safeParse(params.id);
  if (!id.success) throw new Response("Not found", { status: 404 });
  const ctx = appContext();
  const shopId = await shopIdForDomain(ctx, session.shop);
  const detail = shopId ? await shipmentDetail(ctx, shopId, id.data) : null;
  // Another shop's shipment is exactly as unknown as one that does not exist.
  if (!detail) throw new Response("Not found", { status: 404 });
  return detail;
};

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("refresh") }),
  z.object({ intent: z.literal("stop") }),
  z.object({ intent: z.literal("resume") }),
  z.object({ intent: z.literal("change_carrier"), carrierCode: z.string() }),
]);

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = idSchema.safeParse(params.id);
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!id.success || !parsed.success) return Response.json({ ok: false as const, error: "invalid" }, { status: 400 });
  const ctx = appContext();
  const shopId = await shopIdForDomain(ctx, session.shop);
  if (!shopId) return Response.json({ ok: false as const, error: "not_found" }, { status: 404 });
  const input = parsed.data;
  switch (input.intent) {
    case "refresh":
      return { ok: true as const, intent: input.intent, affected: (await refreshShipments(ctx, shopId, [id.data])).affected };
    case "stop":
      return { ok: true as const, intent: input.intent, affected: (await stopTracking(ctx, shopId, [id.data])).affected };
    case "resume":
      return { ok: true as const, intent: input.intent, affected: (await resumeTracking(ctx, shopId, [id.data])).affected };
    case "change_carrier": {
      const known = CARRIERS.some((carrier) => carrier.code === input.carrierCode);
      if (!known) return Response.json({ ok: false as const, error: "unknown_carrier" }, { status: 400 });
      const outcome = await changeCarrier(ctx, shopId, id.data, { carrierCode: input.carrierCode });
      if (outcome.result === "NOT_FOUND") return Response.json({ ok: false as const, error: "not_found" }, { status: 404 });
      return { ok: true as const, intent: input.intent, affected: outcome.result === "CHANGED" ? 1 : 0 };
    }
  }
};

/** Every string of this page, in one place for the string catalogue. */
const STRINGS = {
  back: "Shipments",
  actions: { refresh: "Refresh now", stop: "Stop tracking", resume: "Resume tracking", changeCarrier: "Change carrier", save: "Save carrier" },
  sections: { status: "Status", order: "Order", carrier: "Carrier and provider", timeline: "Carrier events", registration: "Tracking with the provider" },
  fields: {
    status: "Status",
    substatus: "Detail",
    rawStatus: "Provider's status",
    estimatedDelivery: "Estimated delivery",
    delivered: "Delivered",
    lastChecked: "Last heard from the provider",
    carrier: "Carrier",
    carrierSource: "Carrier from",
    trackingCompany: "Shopify tracking company",
    provider: "Provider",
    trackingPage: "Carrier's tracking page",
    state: "State",
    error: "Error",
    registeredAt: "Registered",
    subscriptionExpiresAt: "Subscription renews before",
    stoppedAt: "Stopped",
    stopReason: "Why it stopped",
    attempts: "Attempts",
  },
  none: "—",
  substatuses: {
    no_information: "No information from the carrier yet",
    label_created: "Label created",
    manifest_voided: "Label cancelled",
    in_transit: "In transit",
    arrived_at_hub: "Arrived at a hub",
    arrived_at_delivery_facility: "At the local delivery facility",
    arrived_in_destination_country: "Arrived in the destination country",
    customs_cleared: "Cleared customs",
    dispatched: "Dispatched",
    departed: "Departed a facility",
    out_for_delivery: "Out for delivery",
    ready_for_collection: "Ready for collection",
    delivery_being_arranged: "Delivery being arranged",
    address_issue: "Address problem",
    recipient_not_home: "Recipient not at home",
    business_closed: "Business closed",
    other: "Other",
    delivered: "Delivered",
    collected_by_recipient: "Collected by the recipient",
    signed_for: "Signed for",
    left_at_door: "Left at the door",
    unclaimed: "Not collected",
    customs_hold: "Held by customs",
    damaged_or_lost: "Damaged or lost",
    cancelled: "Cancelled",
    refused: "Refused by the recipient",
    returned_to_sender: "Returned to sender",
    returning_to_sender: "On its way back to the sender",
    delayed: "Delayed",
    no_updates: "No updates for too long",
  } satisfies Record<ShipmentSubstatus, string>,
  noOrder: "No order linked",
  openOrder: (name: string | null) => `Open order ${name ?? ""} in Shopify admin`.replace("  ", " "),
  noEvents: "No carrier events yet.",
  unknownCarrier: "Unknown",
  chooseCarrier: "Choose the carrier",
  done: {
    refresh: "Refresh queued",
    stop: "Tracking stopped",
    resume: "Tracking resumed",
    change_carrier: "Carrier saved; the number is registered again with it",
  } as Record<string, string>,
  nothingChanged: "Nothing to change",
  failed: "That did not work. Reload the page and try again.",
  registrationStates: { pending: "Waiting to register", registering: "Registering", registered: "Registered", failed: "Registration failed", stopped: "Stopped" } as Record<string, string>,
  carrierSources: { shopify: "Shopify's tracking company", detected: "Detected from the number", provider: "Detected by the provider", merchant: "Chosen by you" } as Record<string, string>,
  attention: {
    exception: "Exception",
    failed_attempt: "Failed attempt",
    stuck: "No carrier update for a while",
    pending_too_long: "Pending too long",
    registration_failed: "Registration failed",
  } satisfies Record<AttentionReason, string>,
};


/** A substatus in words; one the page does not know yet is shown as the provider-neutral code. */
function substatusLabel(substatus: string | null): string | null {
  if (!substatus) return substatus;
  return (STRINGS.substatuses as Record<string, string>)[substatus] ?? substatus;
}

function formatDateTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : STRINGS.none;
}

function Field({ label, value }: { label: string; value: ReactNode }) {
  return (
    <BlockStack gap="050">
      <Text as="dt" tone="subdued" variant="bodySm">
        {label}
      </Text>
      <Text as="dd">{value ?? STRINGS.none}</Text>
    </BlockStack>
  );
}

export default function ShipmentDetailPage() {
  const shipment = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const [carrierCode, setCarrierCode] = useState(shipment.carrierCode ?? "");
  const busy = fetcher.state !== "idle";

  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    const data = fetcher.data;
    const message = data.ok ? (data.affected > 0 ? STRINGS.done[data.intent] : STRINGS.nothingChanged) : STRINGS.failed;
    showToast(message ?? STRINGS.failed, !data.ok);
  }, [fetcher.state, fetcher.data]);

  const submit = (data: Record<string, string>) => fetcher.submit(data, { method: "post" });
  const stopped = shipment.registration.state === "stopped";

  return (
    <Page
      backAction={{ content: STRINGS.back, url: "/app/shipments" }}
      title={shipment.trackingNumber}
      titleMetadata={<Badge tone={STATUS_TONE[shipment.status]}>{statusLabel(shipment.status)}</Badge>}
      primaryAction={{ content: STRINGS.actions.refresh, onAction: () => submit({ intent: "refresh" }), disabled: busy || stopped }}
      secondaryActions={[
        stopped
          ? { content: STRINGS.actions.resume, onAction: () => submit({ intent: "resume" }), disabled: busy }
          : { content: STRINGS.actions.stop, destructive: true, onAction: () => submit({ intent: "stop" }), disabled: busy },
      ]}
    >
      <Layout>
        {fetcher.data && !fetcher.data.ok ? (
          <Layout.Section>
            <Banner tone="critical">{STRINGS.failed}</Banner>
          </Layout.Section>
        ) : null}
        {shipment.attention.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={shipment.attention.map((reason) => STRINGS.attention[reason]).join(" · ")}>
              {shipment.registration.error ? <p>{shipment.registration.error}</p> : null}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {STRINGS.sections.status}
                </Text>
                <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
                  <Field label={STRINGS.fields.status} value={statusLabel(shipment.status)} />
                  <Field label={STRINGS.fields.substatus} value={substatusLabel(shipment.substatus)} />
                  <Field label={STRINGS.fields.rawStatus} value={shipment.rawStatus} />
                  <Field label={STRINGS.fields.estimatedDelivery} value={formatDateTime(shipment.estimatedDeliveryAt)} />
                  <Field label={STRINGS.fields.delivered} value={formatDateTime(shipment.deliveredAt)} />
                  <Field label={STRINGS.fields.lastChecked} value={formatDateTime(shipment.lastCheckedAt)} />
                </InlineGrid>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {STRINGS.sections.timeline}
                </Text>
                {shipment.events.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {STRINGS.noEvents}
                  </Text>
                ) : (
                  <BlockStack as="ol" gap="300">
                    {shipment.events.map((event) => (
                      <Box as="li" key={event.id} paddingInlineStart="200" borderInlineStartWidth="025" borderColor="border">
                        <BlockStack gap="050">
                          <InlineStack gap="200" blockAlign="center">
                            <Text as="span" fontWeight="semibold">
                              {event.description}
                            </Text>
                            {event.status ? <Badge tone={STATUS_TONE[event.status]}>{statusLabel(event.status)}</Badge> : null}
                          </InlineStack>
                          <Text as="span" tone="subdued" variant="bodySm">
                            {[formatDateTime(event.occurredAt), event.location].filter(Boolean).join(" · ")}
                          </Text>
                          {event.rawStatus ? (
                            <Text as="span" tone="subdued" variant="bodySm">
                              {STRINGS.fields.rawStatus}: {event.rawStatus}
                            </Text>
                          ) : null}
                        </BlockStack>
                      </Box>
                    ))}
                  </BlockStack>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {STRINGS.sections.order}
                </Text>
                {shipment.orders.length === 0 ? (
                  <Text as="p">{STRINGS.noOrder}</Text>
                ) : (
                  shipment.orders.map((order) =>
                    order.adminUrl ? (
                      <Link key={order.adminUrl} url={order.adminUrl} target="_top">
                        {STRINGS.openOrder(order.name)}
                      </Link>
                    ) : (
                      <Text as="p" key={order.name ?? "order"}>
                        {order.name}
                      </Text>
                    ),
                  )
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {STRINGS.sections.carrier}
                </Text>
                <Field label={STRINGS.fields.carrier} value={shipment.carrierName ?? STRINGS.unknownCarrier} />
                <Field label={STRINGS.fields.carrierSource} value={shipment.carrierSource ? (STRINGS.carrierSources[shipment.carrierSource] ?? shipment.carrierSource) : null} />
                <Field label={STRINGS.fields.trackingCompany} value={shipment.trackingCompany} />
                <Field label={STRINGS.fields.provider} value={providerLabel(shipment.provider)} />
                {shipment.trackingUrl ? (
                  <Link url={shipment.trackingUrl} target="_blank">
                    {STRINGS.fields.trackingPage}
                  </Link>
                ) : null}
                <fetcher.Form method="post">
                  <input type="hidden" name="intent" value="change_carrier" />
                  <BlockStack gap="200">
                    <Select
                      label={STRINGS.actions.changeCarrier}
                      name="carrierCode"
                      options={[{ label: STRINGS.chooseCarrier, value: "", disabled: true }, ...CARRIERS.map((carrier) => ({ label: carrier.name, value: carrier.code }))]}
                      value={carrierCode}
                      onChange={setCarrierCode}
                    />
                    <InlineStack align="end">
                      <Button submit disabled={busy || !carrierCode || carrierCode === shipment.carrierCode}>
                        {STRINGS.actions.save}
                      </Button>
                    </InlineStack>
                  </BlockStack>
                </fetcher.Form>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {STRINGS.sections.registration}
                </Text>
                <Field label={STRINGS.fields.state} value={STRINGS.registrationStates[shipment.registration.state] ?? shipment.registration.state} />
                {shipment.registration.error ? (
                  <Text as="p" tone="critical">
                    {STRINGS.fields.error}: {shipment.registration.error}
                  </Text>
                ) : null}
                <Field label={STRINGS.fields.attempts} value={String(shipment.registration.attempts)} />
                <Field label={STRINGS.fields.registeredAt} value={formatDateTime(shipment.registration.registeredAt)} />
                {shipment.registration.subscriptionExpiresAt ? (
                  <Field label={STRINGS.fields.subscriptionExpiresAt} value={formatDateTime(shipment.registration.subscriptionExpiresAt)} />
                ) : null}
                {shipment.registration.stoppedAt ? (
                  <>
                    <Field label={STRINGS.fields.stoppedAt} value={formatDateTime(shipment.registration.stoppedAt)} />
                    <Field label={STRINGS.fields.stopReason} value={shipment.registration.stopReason} />
                  </>
                ) : null}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** App Bridge's toast; App Bridge is the `shopify` global inside Shopify admin, absent elsewhere (then no toast). */
function showToast(message: string, isError: boolean): void {
  const appBridge = (globalThis as { shopify?: { toast?: { show(message: string, options?: { isError?: boolean }): void } } }).shopify;
  appBridge?.toast?.show(message, { isError });
}

// Carries Shopify's "retry with a fresh session token" header on a 401, so App Bridge retries
// data requests for this page alone (in-app navigation does not reload the parent layout).
export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
