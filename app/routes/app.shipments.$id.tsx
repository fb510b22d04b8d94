import { boundary } from "@shopify/shopify-app-remix/server";
import type { ActionFunctionArgs, LoaderFunctionArgs, HeadersFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, Link, Page, Select, Text } from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import { z } from "zod";
import { formatEstimate } from "~/components/dates";
import { ShipmentEmailLog } from "~/components/shipment-email-log";
import { catalogueLabel, providerLabel, STATUS_TONE, statusLabel } from "~/components/shipment-labels";
import { CARRIERS } from "~/domain/carriers/registry";
import { appContext } from "~/context.server";
import { useT } from "~/i18n/react";
import { changeCarrier, refreshShipments, resumeTracking, stopTracking } from "~/services/shipment-actions.server";
import { shipmentDetail, shopIdForDomain } from "~/services/shipment-index.server";
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

type DetailT = ReturnType<typeof useT>;

/** A substatus in words; one the catalogue does not know yet is shown as the provider-neutral code. */
function substatusLabel(t: DetailT, substatus: string | null): string | null {
  return substatus ? catalogueLabel(t, "substatus", substatus) : substatus;
}

function formatDateTime(t: DetailT, iso: string | null): string {
  return iso ? new Date(iso).toLocaleString(t.locale, { dateStyle: "medium", timeStyle: "short" }) : t("shipment.none");
}

/** One term and its value; each in its own list so the cards can lay fields out freely (dt/dd need a dl). */
function Field({ label, value }: { label: string; value: ReactNode }) {
  const t = useT();
  return (
    <dl style={{ margin: 0 }}>
      <BlockStack gap="050">
        <Text as="dt" tone="subdued" variant="bodySm">
          {label}
        </Text>
        <Text as="dd">{value ?? t("shipment.none")}</Text>
      </BlockStack>
    </dl>
  );
}

export default function ShipmentDetailPage() {
  const shipment = useLoaderData<typeof loader>();
  const t = useT();
  const fetcher = useFetcher<typeof action>();
  const [carrierCode, setCarrierCode] = useState(shipment.carrierCode ?? "");
  const busy = fetcher.state !== "idle";

  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    const data = fetcher.data;
    const message = data.ok ? (data.affected > 0 ? t(`shipment.done.${data.intent as "refresh" | "stop" | "resume" | "change_carrier"}`) : t("shipment.nothingChanged")) : t("shipment.failed");
    showToast(message, !data.ok);
  }, [fetcher.state, fetcher.data, t]);

  const submit = (data: Record<string, string>) => fetcher.submit(data, { method: "post" });
  const stopped = shipment.registration.state === "stopped";

  return (
    <Page
      backAction={{ content: t("shipment.back"), url: "/app/shipments" }}
      title={shipment.trackingNumber}
      titleMetadata={<Badge tone={STATUS_TONE[shipment.status]}>{statusLabel(t, shipment.status)}</Badge>}
      primaryAction={{ content: t("shipment.actions.refresh"), onAction: () => submit({ intent: "refresh" }), disabled: busy || stopped }}
      secondaryActions={[
        stopped
          ? { content: t("shipment.actions.resume"), onAction: () => submit({ intent: "resume" }), disabled: busy }
          : { content: t("shipment.actions.stop"), destructive: true, onAction: () => submit({ intent: "stop" }), disabled: busy },
      ]}
    >
      <Layout>
        {fetcher.data && !fetcher.data.ok ? (
          <Layout.Section>
            <Banner tone="critical">{t("shipment.failed")}</Banner>
          </Layout.Section>
        ) : null}
        {shipment.attention.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={shipment.attention.map((reason) => t(`attention.${reason}`)).join(" · ")}>
              {shipment.registration.error ? <p>{shipment.registration.error}</p> : null}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("shipment.sections.status")}
                </Text>
                <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
                  <Field label={t("shipment.fields.status")} value={statusLabel(t, shipment.status)} />
                  <Field label={t("shipment.fields.substatus")} value={substatusLabel(t, shipment.substatus)} />
                  <Field label={t("shipment.fields.rawStatus")} value={shipment.rawStatus} />
                  <Field
                    label={t("shipment.fields.estimatedDelivery")}
                    value={shipment.estimatedDeliveryAt ? formatEstimate(t.locale, shipment.estimatedDeliveryAt, shipment.estimatedDeliveryEndAt) : null}
                  />
                  <Field label={t("shipment.fields.delivered")} value={formatDateTime(t, shipment.deliveredAt)} />
                  <Field label={t("shipment.fields.lastChecked")} value={formatDateTime(t, shipment.lastCheckedAt)} />
                </InlineGrid>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("shipment.sections.timeline")}
                </Text>
                {shipment.events.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("shipment.noEvents")}
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
                            {event.status ? <Badge tone={STATUS_TONE[event.status]}>{statusLabel(t, event.status)}</Badge> : null}
                          </InlineStack>
                          <Text as="span" tone="subdued" variant="bodySm">
                            {[formatDateTime(t, event.occurredAt), event.location].filter(Boolean).join(" · ")}
                          </Text>
                          {event.rawStatus ? (
                            <Text as="span" tone="subdued" variant="bodySm">
                              {t("shipment.fields.rawStatusLine", { status: event.rawStatus })}
                            </Text>
                          ) : null}
                        </BlockStack>
                      </Box>
                    ))}
                  </BlockStack>
                )}
              </BlockStack>
            </Card>
            <ShipmentEmailLog entries={shipment.emailLog} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("shipment.sections.order")}
                </Text>
                {shipment.orders.length === 0 ? (
                  <Text as="p">{t("shipment.noOrder")}</Text>
                ) : (
                  shipment.orders.map((order) =>
                    order.adminUrl ? (
                      <Link key={order.adminUrl} url={order.adminUrl} target="_top">
                        {t("shipment.openOrder", { name: order.name ?? "" }).replace("  ", " ")}
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
                  {t("shipment.sections.carrier")}
                </Text>
                <Field label={t("shipment.fields.carrier")} value={shipment.carrierName ?? t("shipment.unknownCarrier")} />
                <Field label={t("shipment.fields.carrierSource")} value={shipment.carrierSource ? catalogueLabel(t, "carrierSources", shipment.carrierSource) : null} />
                <Field label={t("shipment.fields.trackingCompany")} value={shipment.trackingCompany} />
                <Field label={t("shipment.fields.provider")} value={providerLabel(shipment.provider)} />
                {shipment.trackingUrl ? (
                  <Link url={shipment.trackingUrl} target="_blank">
                    {t("shipment.fields.trackingPage")}
                  </Link>
                ) : null}
                <fetcher.Form method="post">
                  <input type="hidden" name="intent" value="change_carrier" />
                  <BlockStack gap="200">
                    <Select
                      label={t("shipment.actions.changeCarrier")}
                      name="carrierCode"
                      options={[{ label: t("shipment.chooseCarrier"), value: "", disabled: true }, ...CARRIERS.map((carrier) => ({ label: carrier.name, value: carrier.code }))]}
                      value={carrierCode}
                      onChange={setCarrierCode}
                    />
                    <InlineStack align="end">
                      <Button submit disabled={busy || !carrierCode || carrierCode === shipment.carrierCode}>
                        {t("shipment.actions.save")}
                      </Button>
                    </InlineStack>
                  </BlockStack>
                </fetcher.Form>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("shipment.sections.registration")}
                </Text>
                <Field label={t("shipment.fields.state")} value={catalogueLabel(t, "registrationStates", shipment.registration.state)} />
                {shipment.registration.error ? (
                  <Text as="p" tone="critical">
                    {t("shipment.fields.error", { error: shipment.registration.error })}
                  </Text>
                ) : null}
                <Field label={t("shipment.fields.attempts")} value={String(shipment.registration.attempts)} />
                <Field label={t("shipment.fields.registeredAt")} value={formatDateTime(t, shipment.registration.registeredAt)} />
                {shipment.registration.subscriptionExpiresAt ? (
                  <Field label={t("shipment.fields.subscriptionExpiresAt")} value={formatDateTime(t, shipment.registration.subscriptionExpiresAt)} />
                ) : null}
                {shipment.registration.stoppedAt ? (
                  <>
                    <Field label={t("shipment.fields.stoppedAt")} value={formatDateTime(t, shipment.registration.stoppedAt)} />
                    <Field label={t("shipment.fields.stopReason")} value={shipment.registration.stopReason} />
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
