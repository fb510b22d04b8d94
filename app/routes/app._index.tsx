import { boundary } from "@shopify/shopify-app-remix/server";
import type { ActionFunctionArgs, LoaderFunctionArgs, HeadersFunction } from "@remix-run/node";
import { Link as RemixLink, useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect } from "react";
import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Link, Page, ProgressBar, Text } from "@shopify/polaris";
import { appContext } from "~/context.server";
import { catalogueLabel, providerLabel, statusLabel } from "~/components/shipment-labels";
import { useT } from "~/i18n/react";
import type { loader as quotaLoader } from "./app.provider-quota";
import { dismissChecklist, shopDashboard } from "~/services/dashboard.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const ctx = appContext();
  const [dashboard, settings] = await Promise.all([
    shopDashboard(ctx, session.shop),
    ctx.db.prisma.shop.findUnique({ where: { domain: session.shop }, select: { stuckAfterDays: true, pendingTooLongDays: true } }),
  ]);
  return { ...dashboard, stuckAfterDays: settings?.stuckAfterDays ?? 7, pendingTooLongDays: settings?.pendingTooLongDays ?? 5 };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") !== "dismiss-checklist") return { ok: false };
  await dismissChecklist(appContext(), session.shop);
  return { ok: true };
};

export default function Overview() {
  const overview = useLoaderData<typeof loader>();
  const t = useT();
  const backfill = overview.latestBackfill;
  const progress = backfill?.totalBytes ? Math.min(100, Math.round((backfill.bytesRead / backfill.totalBytes) * 100)) : null;
  return (
    <Page title={t("common.appName")}>
      <Layout>
        {overview.provider?.blockedReason ? (
          <Layout.Section>
            <Banner tone="critical" title={t("dashboard.paused")}>
              <p>{blockAdvice(t, overview.provider.blockedReason) ?? overview.provider.blockedMessage}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {overview.provider && !overview.provider.connected ? (
          <Layout.Section>
            <Banner tone="warning" title={t("dashboard.connectProvider")}>
              <p>{t("dashboard.waitingToRegister", { count: overview.registration.pending })}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {overview.checklist.visible ? (
          <Layout.Section>
            <Checklist checklist={overview.checklist} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <AttentionCard attention={overview.attention} stuckAfterDays={overview.stuckAfterDays} pendingTooLongDays={overview.pendingTooLongDays} />
        </Layout.Section>
        <Layout.Section>
          <PerformanceCard performance={overview.performance} />
        </Layout.Section>
        <Layout.Section>
          <SyncCard sync={overview.sync} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("dashboard.statusCounts.title")}
              </Text>
              <DataTable
                columnContentTypes={["text", "numeric"]}
                headings={[t("dashboard.statusCounts.status"), t("dashboard.statusCounts.shipments")]}
                rows={Object.entries(overview.countsByStatus).map(([status, count]) => [statusLabel(t, status), count])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={2} gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.registration.title")}
                </Text>
                <Text as="p">{t("dashboard.registration.waiting", { count: overview.registration.pending })}</Text>
                <Text as="p">{t("dashboard.registration.failed", { count: overview.registration.failed })}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.orderImport.title")}
                </Text>
                {backfill ? (
                  <>
                    <Text as="p">
                      {t("dashboard.orderImport.progress", { state: catalogueLabel(t, "settings.backfill.states", backfill.state), orders: backfill.ordersProcessed, numbers: backfill.trackingNumbersFound })}
                    </Text>
                    {progress !== null ? <ProgressBar progress={progress} /> : null}
                    {backfill.error ? <Text as="p" tone="critical">{backfill.error}</Text> : null}
                  </>
                ) : (
                  <Text as="p">{t("dashboard.orderImport.notStarted")}</Text>
                )}
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

type Dashboard = ReturnType<typeof useLoaderData<typeof loader>>;
type DashboardT = ReturnType<typeof useT>;

/** What to do about a blocked provider account, or null for a reason the catalogue has no advice for. */
function blockAdvice(t: DashboardT, reason: string): string | null {
  return reason === "auth_failed" || reason === "quota_exhausted" ? t(`providerProblems.${reason}`) : null;
}

/** The same text on the server and in the browser (a locale- or zone-dependent format would break hydration). */
function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function AttentionCard({ attention, stuckAfterDays, pendingTooLongDays }: { attention: Dashboard["attention"]; stuckAfterDays: number; pendingTooLongDays: number }) {
  const t = useT();
  const total = attention.reduce((sum, row) => sum + row.count, 0);
  const days = { stuck: stuckAfterDays, pending_too_long: pendingTooLongDays } as Record<string, number>;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("dashboard.attention.title")}
        </Text>
        {total === 0 ? <Text as="p">{t("dashboard.attention.empty")}</Text> : null}
        <ul aria-label={t("dashboard.attention.title")} style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {attention.map((row) => (
            <li key={row.reason} data-reason={row.reason}>
              <InlineStack gap="200" blockAlign="center">
                <Box minWidth="4rem">
                  <Text as="span" variant="headingLg" tone={row.count > 0 ? "critical" : "subdued"}>
                    {row.capped ? t("dashboard.attention.capped", { count: row.count }) : String(row.count)}
                  </Text>
                </Box>
                <RemixLink to={row.href}>{t(`dashboard.attention.reasons.${row.reason}`, { days: days[row.reason] ?? 0 })}</RemixLink>
              </InlineStack>
            </li>
          ))}
        </ul>
        <RemixLink to="/app/shipments?attention=1">{t("dashboard.attention.viewAll")}</RemixLink>
      </BlockStack>
    </Card>
  );
}

const BAR_HEIGHT = 14;
const ROW_HEIGHT = 44;
const LABEL_WIDTH = 120;
const CHART_WIDTH = 560;
// Both bar colours keep at least 3:1 against the white card (WCAG 1.4.11, graphics), and differ
// from each other; the value beside each bar and the table below carry the same figures in text.
const MEDIAN_COLOUR = "#1f5199";
const P90_COLOUR = "#6b93d6";

/** Horizontal bars per carrier: median and 90th-percentile transit days on one scale. The table beside it carries the same figures. */
function TransitChart({ carriers }: { carriers: Dashboard["performance"]["carriers"] }) {
  const t = useT();
  const max = Math.max(1, ...carriers.map((row) => row.p90Days));
  const scale = (days: number) => ((CHART_WIDTH - LABEL_WIDTH - 60) * days) / max;
  const height = carriers.length * ROW_HEIGHT + 24;
  return (
    <svg role="img" aria-label={t("dashboard.performance.chartLabel")} viewBox={`0 0 ${CHART_WIDTH} ${height}`} width="100%" style={{ maxWidth: CHART_WIDTH }}>
      <title>{t("dashboard.performance.chartLabel")}</title>
      {carriers.map((row, index) => {
        const y = index * ROW_HEIGHT;
        return (
          <g key={row.carrierCode}>
            <text x={0} y={y + BAR_HEIGHT + 4} fontSize="13" fill="#303030">
              {row.carrierName}
            </text>
            <rect x={LABEL_WIDTH} y={y} width={scale(row.medianDays)} height={BAR_HEIGHT} fill={MEDIAN_COLOUR} rx={2} />
            <text x={LABEL_WIDTH + scale(row.medianDays) + 6} y={y + BAR_HEIGHT - 2} fontSize="12" fill="#303030">
              {row.medianDays.toFixed(1)}
            </text>
            <rect x={LABEL_WIDTH} y={y + BAR_HEIGHT + 4} width={scale(row.p90Days)} height={BAR_HEIGHT} fill={P90_COLOUR} rx={2} />
            <text x={LABEL_WIDTH + scale(row.p90Days) + 6} y={y + 2 * BAR_HEIGHT + 2} fontSize="12" fill="#303030">
              {row.p90Days.toFixed(1)}
            </text>
          </g>
        );
      })}
      <g transform={`translate(${LABEL_WIDTH}, ${height - 10})`}>
        <rect x={0} y={-9} width={10} height={10} fill={MEDIAN_COLOUR} />
        <text x={14} y={0} fontSize="12" fill="#303030">
          {t("dashboard.performance.legendMedian")}
        </text>
        <rect x={90} y={-9} width={10} height={10} fill={P90_COLOUR} />
        <text x={104} y={0} fontSize="12" fill="#303030">
          {t("dashboard.performance.legendP90")}
        </text>
      </g>
    </svg>
  );
}

function PerformanceCard({ performance }: { performance: Dashboard["performance"] }) {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("dashboard.performance.title")}
        </Text>
        <Text as="p" tone="subdued">
          {t("dashboard.performance.subtitle", { days: performance.windowDays, timeZone: performance.timeZone })}
        </Text>
        {performance.carriers.length === 0 ? (
          <Text as="p">{t("dashboard.performance.empty", { days: performance.windowDays })}</Text>
        ) : (
          <>
            <TransitChart carriers={performance.carriers} />
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
              headings={[
                t("dashboard.performance.carrier"),
                t("dashboard.performance.delivered"),
                t("dashboard.performance.median"),
                t("dashboard.performance.p90"),
                t("dashboard.performance.onTime"),
              ]}
              rows={performance.carriers.map((row) => [
                row.carrierName,
                row.count,
                row.medianDays.toFixed(1),
                row.p90Days.toFixed(1),
                row.onTimeShare === null ? t("dashboard.performance.noEstimate") : `${Math.round(row.onTimeShare * 100)}%`,
              ])}
            />
            {performance.sampleLimited ? <Text as="p" tone="subdued">{t("dashboard.performance.sampled", { count: performance.sampled })}</Text> : null}
          </>
        )}
      </BlockStack>
    </Card>
  );
}

function SyncCard({ sync }: { sync: Dashboard["sync"] }) {
  const t = useT();
  const at = (iso: string | null) => (iso ? formatInstant(iso) : t("dashboard.sync.never"));
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("dashboard.sync.title")}
        </Text>
        <Text as="p">{t("dashboard.sync.lastSuccess", { at: at(sync.lastProviderSuccessAt) })}</Text>
        <Text as="p">{t("dashboard.sync.lastData", { at: at(sync.lastDataReceivedAt) })}</Text>
        <ProviderQuotaList />
      </BlockStack>
    </Card>
  );
}

/**
 * Quota left per connected provider, asked for after the page has rendered (a provider call must
 * not slow the dashboard; the server caches answers per account). A blocked account is left out:
 * the banner at the top already says what to do.
 */
function ProviderQuotaList() {
  const t = useT();
  const fetcher = useFetcher<typeof quotaLoader>();
  const { load } = fetcher;
  useEffect(() => {
    load("/app/provider-quota");
  }, [load]);
  if (!fetcher.data) {
    return (
      <Text as="p" tone="subdued">
        {t("dashboard.sync.quotaLoading")}
      </Text>
    );
  }
  const shown = fetcher.data.quotas.filter((quota) => quota.state !== "blocked");
  if (shown.length === 0) return null;
  return (
    <ul aria-label={t("dashboard.sync.quotaTitle")} style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {shown.map((quota) => {
        const provider = providerLabel(quota.provider);
        const text =
          quota.state === "remaining"
            ? t("dashboard.sync.quotaRemaining", { provider, count: quota.remaining })
            : quota.state === "unavailable"
              ? t(`dashboard.sync.quotaProblems.${quota.problem}`, { provider })
              : t("dashboard.sync.quotaNotReported", { provider });
        return (
          <li key={quota.provider} data-provider={quota.provider}>
            <Text as="span" tone={quota.state === "remaining" ? undefined : quota.state === "unavailable" ? "caution" : "subdued"}>
              {text}
            </Text>
          </li>
        );
      })}
    </ul>
  );
}

function Checklist({ checklist }: { checklist: Dashboard["checklist"] }) {
  const t = useT();
  const fetcher = useFetcher<typeof action>();
  const item = (title: string, help: string, badge: { tone: "success" | "info" | "attention" | undefined; label: string }, link: { url: string; label: string; external?: boolean } | null) => (
    <li>
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h3" variant="headingSm">
            {title}
          </Text>
          <Badge tone={badge.tone}>{badge.label}</Badge>
        </InlineStack>
        <Text as="p" tone="subdued">
          {help}
        </Text>
        {link ? (
          link.external ? (
            <Link url={link.url} target="_blank">
              {link.label}
            </Link>
          ) : (
            <RemixLink to={link.url}>{link.label}</RemixLink>
          )
        ) : null}
      </BlockStack>
    </li>
  );
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t("dashboard.checklist.title")}
          </Text>
          {checklist.providerConnected ? (
            <fetcher.Form method="post">
              <input type="hidden" name="intent" value="dismiss-checklist" />
              <Button submit variant="plain" loading={fetcher.state !== "idle"}>
                {t("dashboard.checklist.dismiss")}
              </Button>
            </fetcher.Form>
          ) : null}
        </InlineStack>
        <ol style={{ margin: 0, paddingInlineStart: "1.25rem", display: "grid", gap: "0.75rem" }}>
          {item(
            t("dashboard.checklist.connectProvider"),
            t("dashboard.checklist.connectProviderHelp"),
            checklist.providerConnected ? { tone: "success", label: t("dashboard.checklist.done") } : { tone: "attention", label: t("dashboard.checklist.todo") },
            checklist.providerConnected ? null : { url: "/app/settings", label: t("dashboard.checklist.openSettings") },
          )}
          {item(
            t("dashboard.checklist.themeBlock"),
            t("dashboard.checklist.themeBlockHelp"),
            { tone: "info", label: t("dashboard.checklist.notVerifiable") },
            { url: checklist.themeEditorUrl, label: t("dashboard.checklist.openThemeEditor"), external: true },
          )}
          {item(
            t("dashboard.checklist.testEmail"),
            t("dashboard.checklist.testEmailHelp"),
            { tone: "info", label: t("dashboard.checklist.notVerifiable") },
            { url: "/app/notifications", label: t("dashboard.checklist.openNotifications") },
          )}
        </ol>
      </BlockStack>
    </Card>
  );
}

// Carries Shopify's "retry with a fresh session token" header on a 401, so App Bridge retries
// data requests for this page alone (in-app navigation does not reload the parent layout).
export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
