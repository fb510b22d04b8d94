import { boundary } from "@shopify/shopify-app-remix/server";
import type { LoaderFunctionArgs, HeadersFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Card, DataTable, InlineGrid, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { appContext } from "~/context.server";
import { shopOverview } from "~/services/overview.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return shopOverview(appContext(), session.shop);
};

const BLOCK_ADVICE: Record<string, string> = {
  auth_failed: "Your tracking provider refused the API key. Paste a valid key in Settings; tracking resumes by itself.",
  quota_exhausted: "Your tracking provider account has no quota left. Top it up with the provider; tracking resumes when you save Settings again.",
};

export default function Overview() {
  const overview = useLoaderData<typeof loader>();
  const backfill = overview.latestBackfill;
  const progress = backfill?.totalBytes ? Math.min(100, Math.round((backfill.bytesRead / backfill.totalBytes) * 100)) : null;
  return (
    <Page title="Tracklight">
      <Layout>
        {overview.provider?.blockedReason ? (
          <Layout.Section>
            <Banner tone="critical" title="Tracking is paused">
              <p>{BLOCK_ADVICE[overview.provider.blockedReason] ?? overview.provider.blockedMessage}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {overview.provider && !overview.provider.connected ? (
          <Layout.Section>
            <Banner tone="warning" title="Connect a tracking provider">
              <p>{overview.registration.pending} tracking numbers are waiting to be registered.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Shipments by status
              </Text>
              <DataTable
                columnContentTypes={["text", "numeric"]}
                headings={["Status", "Shipments"]}
                rows={Object.entries(overview.countsByStatus).map(([status, count]) => [status, count])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={2} gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Registration
                </Text>
                <Text as="p">Waiting: {overview.registration.pending}</Text>
                <Text as="p">Failed: {overview.registration.failed}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Order import
                </Text>
                {backfill ? (
                  <>
                    <Text as="p">
                      {backfill.state}: {backfill.ordersProcessed} orders, {backfill.trackingNumbersFound} tracking numbers
                    </Text>
                    {progress !== null ? <ProgressBar progress={progress} /> : null}
                    {backfill.error ? <Text as="p" tone="critical">{backfill.error}</Text> : null}
                  </>
                ) : (
                  <Text as="p">Not started</Text>
                )}
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

// Carries Shopify's "retry with a fresh session token" header on a 401, so App Bridge retries
// data requests for this page alone (in-app navigation does not reload the parent layout).
export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
