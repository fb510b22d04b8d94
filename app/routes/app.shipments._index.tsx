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
import { runBulkAction, SHIPMENT_BULK_ACTIONS, shipmentIdsSchema } from "~/services/shipment-actions.server";
import { InvalidCursorError, listShipments, shipmentIndexQuerySchema, shopIdForDomain, type AttentionReason } from "~/services/shipment-index.server";
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

/** Every string of this page, in one place for the string catalogue. */
const STRINGS = {
  title: "Shipments",
  searchPlaceholder: "Search by order, tracking number or customer e-mail",
  tabs: { all: "All", attention: "Needs attention" },
  columns: { order: "Order", trackingNumber: "Tracking number", carrier: "Carrier", provider: "Provider", status: "Status", lastUpdate: "Last carrier update", added: "Added" },
  resourceName: { singular: "shipment", plural: "shipments" },
  emptyTitle: "No shipments found",
  emptyFiltered: "Try changing the filters or the search.",
  noOrder: "—",
  never: "No update yet",
  unknownCarrier: "Unknown",
  filters: {
    status: "Status",
    carrier: "Carrier",
    provider: "Provider",
    created: "Added between",
    from: "From",
    to: "To",
    attention: "Needs attention",
    attentionOnly: "Only shipments that need attention",
  },
  applied: {
    status: (value: string) => `Status: ${value}`,
    carrier: (value: string) => `Carrier: ${value}`,
    provider: (value: string) => `Provider: ${value}`,
    created: (from?: string, to?: string) => `Added ${from ? `from ${from}` : ""}${from && to ? " " : ""}${to ? `to ${to}` : ""}`,
    attention: "Needs attention",
  },
  sort: { created: "Added", lastUpdate: "Last carrier update", status: "Status", newest: "Newest first", oldest: "Oldest first", ascending: "A–Z", descending: "Z–A" },
  actions: { refresh: "Refresh now", stop: "Stop tracking", resume: "Resume tracking", redetect: "Re-detect carrier" },
  done: (affected: number, skipped: number) => `${affected} shipment${affected === 1 ? "" : "s"} updated${skipped ? `, ${skipped} skipped` : ""}`,
  failed: "That did not work. Reload the page and try again.",
  attention: {
    exception: "Exception",
    failed_attempt: "Failed attempt",
    stuck: "No carrier update",
    pending_too_long: "Pending too long",
    registration_failed: "Registration failed",
  } satisfies Record<AttentionReason, string>,
};


const SORT_OPTIONS: IndexFiltersProps["sortOptions"] = [
  { label: STRINGS.sort.created, value: "created desc", directionLabel: STRINGS.sort.newest },
  { label: STRINGS.sort.created, value: "created asc", directionLabel: STRINGS.sort.oldest },
  { label: STRINGS.sort.lastUpdate, value: "updated desc", directionLabel: STRINGS.sort.newest },
  { label: STRINGS.sort.status, value: "status asc", directionLabel: STRINGS.sort.ascending },
];
const SORT_TO_PARAM: Record<string, string> = { "created desc": "newest", "created asc": "oldest", "updated desc": "last_update", "status asc": "status" };
const PARAM_TO_SORT = Object.fromEntries(Object.entries(SORT_TO_PARAM).map(([key, value]) => [value, key]));

const COMMON_CARRIERS = ["ups", "usps", "fedex", "dhl", "dhl-ecommerce", "amazon", "ontrac", "canada-post", "royal-mail", "australia-post"];

export default function ShipmentsIndex() {
  const page = useLoaderData<typeof loader>();
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
    showToast(data.ok ? STRINGS.done(data.affected, data.skipped) : STRINGS.failed, !data.ok);
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
    { id: "all", content: STRINGS.tabs.all },
    { id: "attention", content: STRINGS.tabs.attention },
  ];

  const filters: IndexFiltersProps["filters"] = [
    {
      key: "status",
      label: STRINGS.filters.status,
      filter: (
        <ChoiceList
          title={STRINGS.filters.status}
          titleHidden
          choices={SHIPMENT_STATUSES.map((value) => ({ label: statusLabel(value), value }))}
          selected={status ? [status] : []}
          onChange={([value]) => update({ status: value })}
        />
      ),
      shortcut: true,
    },
    {
      key: "carrier",
      label: STRINGS.filters.carrier,
      filter: (
        <ChoiceList title={STRINGS.filters.carrier} titleHidden choices={carriers} selected={carrier ? [carrier] : []} onChange={([value]) => update({ carrier: value })} />
      ),
      shortcut: true,
    },
    {
      key: "provider",
      label: STRINGS.filters.provider,
      filter: (
        <ChoiceList
          title={STRINGS.filters.provider}
          titleHidden
          choices={PROVIDER_IDS.map((value) => ({ label: providerLabel(value), value }))}
          selected={provider ? [provider] : []}
          onChange={([value]) => update({ provider: value })}
        />
      ),
    },
    {
      key: "created",
      label: STRINGS.filters.created,
      filter: (
        <BlockStack gap="200">
          <TextField label={STRINGS.filters.from} type="date" autoComplete="off" value={from} onChange={(value) => update({ from: value })} />
          <TextField label={STRINGS.filters.to} type="date" autoComplete="off" value={to} onChange={(value) => update({ to: value })} />
        </BlockStack>
      ),
    },
    {
      key: "attention",
      label: STRINGS.filters.attention,
      filter: (
        <ChoiceList
          title={STRINGS.filters.attention}
          titleHidden
          allowMultiple
          choices={[{ label: STRINGS.filters.attentionOnly, value: "1" }]}
          selected={attention ? ["1"] : []}
          onChange={(values) => update({ attention: values.includes("1") ? "1" : null })}
        />
      ),
    },
  ];

  const appliedFilters: IndexFiltersProps["appliedFilters"] = [];
  if (status) appliedFilters.push({ key: "status", label: STRINGS.applied.status(statusLabel(status)), onRemove: () => update({ status: null }) });
  if (carrier) appliedFilters.push({ key: "carrier", label: STRINGS.applied.carrier(carriers.find((c) => c.value === carrier)?.label ?? carrier), onRemove: () => update({ carrier: null }) });
  if (provider) appliedFilters.push({ key: "provider", label: STRINGS.applied.provider(providerLabel(provider)), onRemove: () => update({ provider: null }) });
  if (from || to) appliedFilters.push({ key: "created", label: STRINGS.applied.created(from, to), onRemove: () => update({ from: null, to: null }) });
  if (attention) appliedFilters.push({ key: "attention", label: STRINGS.applied.attention, onRemove: () => update({ attention: null }) });

  const formatDate = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" }) : null);

  const rowMarkup = rows.map((row, index) => (
    <IndexTable.Row id={row.id} key={row.id} position={index} selected={selectedResources.includes(row.id)}>
      <IndexTable.Cell>
        <Link url={`/app/shipments/${row.id}`} removeUnderline dataPrimaryLink>
          <Text as="span" fontWeight="semibold">
            {row.orderName ?? STRINGS.noOrder}
          </Text>
        </Link>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" variant="bodyMd">
          {row.trackingNumber}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{row.carrierName ?? STRINGS.unknownCarrier}</IndexTable.Cell>
      <IndexTable.Cell>{providerLabel(row.provider)}</IndexTable.Cell>
      <IndexTable.Cell>
        <BlockStack gap="100" inlineAlign="start">
          <Badge tone={STATUS_TONE[row.status]}>{statusLabel(row.status)}</Badge>
          {/* Exceptions and failed attempts are the status itself; the other reasons need a word of their own. */}
          {row.attention.filter((reason) => reason !== "exception" && reason !== "failed_attempt").map((reason) => (
            <Badge key={reason} tone="critical" size="small">
              {STRINGS.attention[reason]}
            </Badge>
          ))}
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <BlockStack gap="050">
          <Text as="span">{formatDate(row.lastEventAt) ?? STRINGS.never}</Text>
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
    <Page title={STRINGS.title} fullWidth>
      <BlockStack gap="400">
        {fetcher.data && !fetcher.data.ok ? <Banner tone="critical">{STRINGS.failed}</Banner> : null}
        <Card padding="0">
          <IndexFilters
            tabs={tabs}
            selected={attention ? 1 : 0}
            onSelect={(index) => update({ attention: index === 1 ? "1" : null })}
            queryValue={query}
            queryPlaceholder={STRINGS.searchPlaceholder}
            onQueryChange={setQuery}
            onQueryClear={() => setQuery("")}
            sortOptions={SORT_OPTIONS}
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
            resourceName={STRINGS.resourceName}
            itemCount={rows.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            headings={[
              { title: STRINGS.columns.order },
              { title: STRINGS.columns.trackingNumber },
              { title: STRINGS.columns.carrier },
              { title: STRINGS.columns.provider },
              { title: STRINGS.columns.status },
              { title: STRINGS.columns.lastUpdate },
              { title: STRINGS.columns.added },
            ]}
            promotedBulkActions={[
              { content: STRINGS.actions.refresh, onAction: () => runAction("refresh") },
              { content: STRINGS.actions.stop, onAction: () => runAction("stop") },
            ]}
            bulkActions={[
              { content: STRINGS.actions.resume, onAction: () => runAction("resume") },
              { content: STRINGS.actions.redetect, onAction: () => runAction("redetect") },
            ]}
            emptyState={
              <BlockStack gap="200" inlineAlign="center">
                <Text as="p" variant="headingMd">
                  {STRINGS.emptyTitle}
                </Text>
                <Text as="p" tone="subdued">
                  {STRINGS.emptyFiltered}
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
