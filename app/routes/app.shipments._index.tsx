import { boundary } from "@shopify/shopify-app-remix/server";
import type { ActionFunctionArgs, LoaderFunctionArgs, HeadersFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  ChoiceList,
  IndexFilters,
  IndexTable,
  Link,
  Page,
  Text,
  TextField,
  useIndexResourceState,
  useSetIndexFiltersMode,
  type IndexFiltersProps,
  type TabProps,
} from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { providerLabel, STATUS_TONE, statusLabel } from "~/components/shipment-labels";
import { CARRIERS } from "~/domain/carriers/registry";
import { SHIPMENT_STATUSES } from "~/domain/shipment-status";
import { PROVIDER_IDS } from "~/domain/tracking-observation";
import { appContext } from "~/context.server";
import { useT } from "~/i18n/react";
import { runBulkAction, SHIPMENT_BULK_ACTIONS, shipmentIdsSchema } from "~/services/shipment-actions.server";
import { InvalidCursorError, listShipments, shipmentIndexQuerySchema, shopIdForDomain } from "~/services/shipment-index.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const parsed = shipmentIndexQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) throw new Response("Invalid filters", { status: 400 });
  const ctx = appContext();
  const shopId = await shopIdForDomain(ctx, session.shop);
  if (!shopId) return { rows: [], nextCursor: null, query: parsed.data };
  try {
    return await listShipments(ctx, shopId, parsed.data);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new Response("Invalid page", { status: 400 });
    throw error;
  }
};

const bulkActionSchema = z.object({
  intent: z.enum(SHIPMENT_BULK_ACTIONS),
  ids: z.string().transform((value, issues) => {
    try {
      return shipmentIdsSchema.parse(JSON.parse(value));
    } catch {
      issues.addIssue({ code: "custom", message: "invalid ids" });
      return z.NEVER;
    }
  }),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = bulkActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ ok: false as const }, { status: 400 });
  const ctx = appContext();
  const shopId = await shopIdForDomain(ctx, session.shop);
  if (!shopId) return Response.json({ ok: false as const }, { status: 404 });
  const outcome = await runBulkAction(ctx, shopId, parsed.data.intent, parsed.data.ids);
  return { ok: true as const, intent: parsed.data.intent, ...outcome };
};

type IndexT = ReturnType<typeof useT>;

function sortOptions(t: IndexT): IndexFiltersProps["sortOptions"] {
  return [
    { label: t("shipments.sort.created"), value: "created desc", directionLabel: t("shipments.sort.newest") },
    { label: t("shipments.sort.created"), value: "created asc", directionLabel: t("shipments.sort.oldest") },
    { label: t("shipments.sort.lastUpdate"), value: "updated desc", directionLabel: t("shipments.sort.newest") },
    { label: t("shipments.sort.status"), value: "status asc", directionLabel: t("shipments.sort.ascending") },
  ];
}

function createdFilterLabel(t: IndexT, from: string, to: string): string {
  if (from && to) return t("shipments.applied.createdBetween", { from, to });
  return from ? t("shipments.applied.createdFrom", { from }) : t("shipments.applied.createdTo", { to });
}

const SORT_TO_PARAM: Record<string, string> = { "created desc": "newest", "created asc": "oldest", "updated desc": "last_update", "status asc": "status" };
const PARAM_TO_SORT = Object.fromEntries(Object.entries(SORT_TO_PARAM).map(([key, value]) => [value, key]));

const COMMON_CARRIERS = ["ups", "usps", "fedex", "dhl", "dhl-ecommerce", "amazon", "ontrac", "canada-post", "royal-mail", "australia-post"];

export default function ShipmentsIndex() {
  const page = useLoaderData<typeof loader>();
  const t = useT();
  const [searchParams, setSearchParams] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const fetcher = useFetcher<typeof action>();
  const { mode, setMode } = useSetIndexFiltersMode();
  const [query, setQuery] = useState(searchParams.get("q") ?? "");

  const carriers = useMemo(
    () => CARRIERS.filter((carrier) => COMMON_CARRIERS.includes(carrier.code)).map((carrier) => ({ label: carrier.name, value: carrier.code })),
    [],
  );
  const rows = page.rows;
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(rows);

  // Search as the merchant types, a moment after the last key.
  useEffect(() => {
    const current = searchParams.get("q") ?? "";
    if (query === current) return;
    const timer = setTimeout(() => update({ q: query }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    const data = fetcher.data;
    showToast(
      data.ok
        ? data.skipped
          ? t("shipments.doneWithSkipped", { count: data.affected, skipped: data.skipped })
          : t("shipments.done", { count: data.affected })
        : t("shipments.failed"),
      !data.ok,
    );
    if (data.ok) clearSelection();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.state, fetcher.data]);

  /** Change filters: back to the first page. */
  function update(changes: Record<string, string | null | undefined>) {
    const next = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete("cursor");
    setSearchParams(next);
  }

  function runAction(intent: (typeof SHIPMENT_BULK_ACTIONS)[number]) {
    fetcher.submit({ intent, ids: JSON.stringify(selectedResources) }, { method: "post" });
  }

  const status = searchParams.get("status") ?? "";
  const carrier = searchParams.get("carrier") ?? "";
  const provider = searchParams.get("provider") ?? "";
  const from = searchParams.get("from") ?? "";
  const to = searchParams.get("to") ?? "";
  const attention = searchParams.get("attention") === "1";
  const sort = searchParams.get("sort") ?? "newest";

  const tabs: TabProps[] = [
    { id: "all", content: t("shipments.tabs.all") },
    { id: "attention", content: t("shipments.tabs.attention") },
  ];

  const filters: IndexFiltersProps["filters"] = [
    {
      key: "status",
      label: t("shipments.filters.status"),
      filter: (
        <ChoiceList
          title={t("shipments.filters.status")}
          titleHidden
          choices={SHIPMENT_STATUSES.map((value) => ({ label: statusLabel(t, value), value }))}
          selected={status ? [status] : []}
          onChange={([value]) => update({ status: value })}
        />
      ),
      shortcut: true,
    },
    {
      key: "carrier",
      label: t("shipments.filters.carrier"),
      filter: (
        <ChoiceList title={t("shipments.filters.carrier")} titleHidden choices={carriers} selected={carrier ? [carrier] : []} onChange={([value]) => update({ carrier: value })} />
      ),
      shortcut: true,
    },
    {
      key: "provider",
      label: t("shipments.filters.provider"),
      filter: (
        <ChoiceList
          title={t("shipments.filters.provider")}
          titleHidden
          choices={PROVIDER_IDS.map((value) => ({ label: providerLabel(value), value }))}
          selected={provider ? [provider] : []}
          onChange={([value]) => update({ provider: value })}
        />
      ),
    },
    {
      key: "created",
      label: t("shipments.filters.created"),
      filter: (
        <BlockStack gap="200">
          <TextField label={t("shipments.filters.from")} type="date" autoComplete="off" value={from} onChange={(value) => update({ from: value })} />
          <TextField label={t("shipments.filters.to")} type="date" autoComplete="off" value={to} onChange={(value) => update({ to: value })} />
        </BlockStack>
      ),
    },
    {
      key: "attention",
      label: t("shipments.filters.attention"),
      filter: (
        <ChoiceList
          title={t("shipments.filters.attention")}
          titleHidden
          allowMultiple
          choices={[{ label: t("shipments.filters.attentionOnly"), value: "1" }]}
          selected={attention ? ["1"] : []}
          onChange={(values) => update({ attention: values.includes("1") ? "1" : null })}
        />
      ),
    },
  ];

  const appliedFilters: IndexFiltersProps["appliedFilters"] = [];
  if (status) appliedFilters.push({ key: "status", label: t("shipments.applied.status", { value: statusLabel(t, status) }), onRemove: () => update({ status: null }) });
  if (carrier) appliedFilters.push({ key: "carrier", label: t("shipments.applied.carrier", { value: carriers.find((c) => c.value === carrier)?.label ?? carrier }), onRemove: () => update({ carrier: null }) });
  if (provider) appliedFilters.push({ key: "provider", label: t("shipments.applied.provider", { value: providerLabel(provider) }), onRemove: () => update({ provider: null }) });
  if (from || to) appliedFilters.push({ key: "created", label: createdFilterLabel(t, from, to), onRemove: () => update({ from: null, to: null }) });
  if (attention) appliedFilters.push({ key: "attention", label: t("shipments.applied.attention"), onRemove: () => update({ attention: null }) });

  const formatDate = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(t.locale, { year: "numeric", month: "short", day: "numeric" }) : null);

  const rowMarkup = rows.map((row, index) => (
    <IndexTable.Row id={row.id} key={row.id} position={index} selected={selectedResources.includes(row.id)}>
      <IndexTable.Cell>
        <Link url={`/app/shipments/${row.id}`} removeUnderline dataPrimaryLink>
          <Text as="span" fontWeight="semibold">
            {row.orderName ?? t("shipments.noOrder")}
          </Text>
        </Link>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" variant="bodyMd">
          {row.trackingNumber}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{row.carrierName ?? t("shipments.unknownCarrier")}</IndexTable.Cell>
      <IndexTable.Cell>{providerLabel(row.provider)}</IndexTable.Cell>
      <IndexTable.Cell>
        <BlockStack gap="100" inlineAlign="start">
          <Badge tone={STATUS_TONE[row.status]}>{statusLabel(t, row.status)}</Badge>
          {/* Exceptions and failed attempts are the status itself; the other reasons need a word of their own. */}
          {row.attention.filter((reason) => reason !== "exception" && reason !== "failed_attempt").map((reason) => (
            <Badge key={reason} tone="critical" size="small">
              {t(`attention.${reason}`)}
            </Badge>
          ))}
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <BlockStack gap="050">
          <Text as="span">{formatDate(row.lastEventAt) ?? t("shipments.never")}</Text>
          {row.lastEventDescription ? (
            <Text as="span" tone="subdued" truncate>
              {row.lastEventDescription}
            </Text>
          ) : null}
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>{formatDate(row.createdAt)}</IndexTable.Cell>
    </IndexTable.Row>
  ));

  const hasCursor = searchParams.has("cursor");

  return (
    <Page title={t("shipments.title")} fullWidth>
      <BlockStack gap="400">
        {fetcher.data && !fetcher.data.ok ? <Banner tone="critical">{t("shipments.failed")}</Banner> : null}
        <Card padding="0">
          <IndexFilters
            tabs={tabs}
            selected={attention ? 1 : 0}
            onSelect={(index) => update({ attention: index === 1 ? "1" : null })}
            queryValue={query}
            queryPlaceholder={t("shipments.searchPlaceholder")}
            onQueryChange={setQuery}
            onQueryClear={() => setQuery("")}
            sortOptions={sortOptions(t)}
            sortSelected={[PARAM_TO_SORT[sort] ?? "created desc"]}
            onSort={([value]) => update({ sort: value ? SORT_TO_PARAM[value] : null })}
            filters={filters}
            appliedFilters={appliedFilters}
            onClearAll={() => update({ status: null, carrier: null, provider: null, from: null, to: null, attention: null })}
            mode={mode}
            setMode={setMode}
            loading={navigation.state === "loading"}
            canCreateNewView={false}
          />
          <IndexTable
            resourceName={{ singular: t("shipments.resourceName.singular"), plural: t("shipments.resourceName.plural") }}
            itemCount={rows.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            headings={[
              { title: t("shipments.columns.order") },
              { title: t("shipments.columns.trackingNumber") },
              { title: t("shipments.columns.carrier") },
              { title: t("shipments.columns.provider") },
              { title: t("shipments.columns.status") },
              { title: t("shipments.columns.lastUpdate") },
              { title: t("shipments.columns.added") },
            ]}
            promotedBulkActions={[
              { content: t("shipments.actions.refresh"), onAction: () => runAction("refresh") },
              { content: t("shipments.actions.stop"), onAction: () => runAction("stop") },
            ]}
            bulkActions={[
              { content: t("shipments.actions.resume"), onAction: () => runAction("resume") },
              { content: t("shipments.actions.redetect"), onAction: () => runAction("redetect") },
            ]}
            emptyState={
              <BlockStack gap="200" inlineAlign="center">
                <Text as="p" variant="headingMd">
                  {t("shipments.emptyTitle")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("shipments.emptyFiltered")}
                </Text>
              </BlockStack>
            }
            pagination={{
              hasNext: Boolean(page.nextCursor),
              onNext: () => {
                const next = new URLSearchParams(searchParams);
                next.set("cursor", page.nextCursor!);
                setSearchParams(next);
              },
              // Keyset pages only go forward; the browser's history holds the pages before.
              hasPrevious: hasCursor,
              onPrevious: () => navigate(-1),
            }}
          >
            {rowMarkup}
          </IndexTable>
        </Card>
      </BlockStack>
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
