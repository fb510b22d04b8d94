import { Badge, BlockStack, Box, Card, InlineStack, Text } from "@shopify/polaris";
import { formatInstant } from "~/components/dates";
import type { MessageKey } from "~/i18n/catalogue";
import { useT } from "~/i18n/react";
import type { ShipmentEmailLogEntry } from "~/services/shipment-index.server";

/**
 * A shipment's e-mail log on its page: each customer e-mail (sent, failed, not sent and why) and
 * each update written to Shopify, newest first (`ShipmentDetail.emailLog`).
 */

const STATE_TONE: Record<string, "success" | "critical" | "attention" | "info" | undefined> = {
  sent: "success",
  written: "success",
  failed: "critical",
  skipped: undefined,
  queued: "info",
  sending: "info",
};

export function ShipmentEmailLog({ entries }: { entries: readonly ShipmentEmailLogEntry[] }) {
  const t = useT();
  const known = (key: string): key is MessageKey => t(key as MessageKey) !== key;
  const words = (prefix: string, value: string) => {
    const key = `${prefix}.${value}`;
    return known(key) ? t(key) : value;
  };
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("emails.log.heading")}
        </Text>
        {entries.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("emails.log.empty")}
          </Text>
        ) : (
          <BlockStack as="ol" gap="300">
            {entries.map((entry) => (
              <Box as="li" key={entry.id} paddingInlineStart="200" borderInlineStartWidth="025" borderColor="border">
                <BlockStack gap="050">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="span" fontWeight="semibold">
                      {entry.kind === "customer_email" ? t("emails.log.customerEmail") : t("emails.log.shopifyUpdate")}: {words("emails.milestones", entry.milestone.split(":")[0]!)}
                    </Text>
                    <Badge tone={STATE_TONE[entry.state]}>{words("emails.log.states", entry.state)}</Badge>
                  </InlineStack>
                  {entry.reason ? <Text as="span">{entry.kind === "customer_email" ? words("emails.log.reasons", entry.reason) : entry.reason}</Text> : null}
                  {entry.state === "failed" && entry.lastError && entry.lastError !== entry.reason ? (
                    <Text as="span" tone="critical" variant="bodySm">
                      {entry.lastError}
                    </Text>
                  ) : null}
                  <Text as="span" tone="subdued" variant="bodySm">
                    {formatInstant(t.locale, entry.at)} · {t("emails.log.attempts", { count: entry.attempts })}
                  </Text>
                </BlockStack>
              </Box>
            ))}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}
