import type { JourneyMilestone, PlannedOrder } from "./scenario";

/**
 * `npm run demo -- --check`: what the sandbox produced, held against what the scripted journeys
 * promise. Every shipment must end in its journey's final status; the SMTP server must have
 * accepted exactly one e-mail per milestone the shop has switched on (none twice, none missing);
 * Shopify must show the journey's milestones on the fulfillment in order, once each.
 */

export interface ObservedShipment {
  trackingNumber: string;
  registrationState: string;
  status: string;
}

export interface ReceivedMilestoneEmail {
  trackingNumber: string;
  milestone: string;
}

export interface ObservedSandbox {
  shipments: readonly ObservedShipment[];
  emails: readonly ReceivedMilestoneEmail[];
  /** Shopify fulfillment event statuses per tracking number, oldest first. */
  shopifyEvents: ReadonlyMap<string, readonly string[]>;
  /** E-mails the SMTP server accepted that no shipment of the shop accounts for. */
  strayEmails: number;
}

export interface CheckSettings {
  emailMilestones: ReadonlySet<string>;
  shopifyWriteBack: boolean;
}

export interface SummaryRow {
  group: string;
  shipments: number;
  finalStatusOk: number;
  emailsExpected: number;
  emailsReceived: number;
  shopifyEventsExpected: number;
  shopifyOk: number;
}

export interface CheckResult {
  rows: SummaryRow[];
  failures: string[];
}

/** Shopify's status for each milestone (the write-back's documented mapping, README "Status in Shopify"). */
const SHOPIFY_STATUS: Readonly<Record<JourneyMilestone, string>> = {
  shipped: "CARRIER_PICKED_UP",
  out_for_delivery: "OUT_FOR_DELIVERY",
  failed_attempt: "ATTEMPTED_DELIVERY",
  delivered: "DELIVERED",
  exception: "DELAYED",
};

/** A new delivery date repeats the status Shopify already shows, so consecutive repeats are one stage. */
function stages(statuses: readonly string[]): string[] {
  return statuses.filter((status, index) => index === 0 || statuses[index - 1] !== status);
}

export function expectedEmails(order: PlannedOrder, settings: CheckSettings): JourneyMilestone[] {
  return order.expected.milestones.filter((milestone) => settings.emailMilestones.has(milestone));
}

export function expectedShopifyStages(order: PlannedOrder, settings: CheckSettings): string[] {
  return settings.shopifyWriteBack ? order.expected.milestones.map((milestone) => SHOPIFY_STATUS[milestone]) : [];
}

export function checkSandbox(plan: readonly PlannedOrder[], observed: ObservedSandbox, settings: CheckSettings): CheckResult {
  const failures: string[] = [];
  const shipments = new Map(observed.shipments.map((shipment) => [shipment.trackingNumber, shipment]));
  const emailCounts = new Map<string, number>();
  for (const email of observed.emails) {
    const key = `${email.trackingNumber}|${email.milestone}`;
    emailCounts.set(key, (emailCounts.get(key) ?? 0) + 1);
  }
  const rows = new Map<string, SummaryRow>();

  for (const order of plan) {
    const group = `${order.trackingCompany} via ${order.provider}`;
    const row = rows.get(group) ?? { group, shipments: 0, finalStatusOk: 0, emailsExpected: 0, emailsReceived: 0, shopifyEventsExpected: 0, shopifyOk: 0 };
    rows.set(group, row);
    row.shipments++;
    const name = `${order.trackingCompany} ${order.trackingNumber}`;

    const shipment = shipments.get(order.trackingNumber);
    if (!shipment) {
      failures.push(`${name}: no shipment was created`);
    } else if (shipment.registrationState !== order.expected.registration) {
      failures.push(`${name}: registration ${shipment.registrationState}, expected ${order.expected.registration}`);
    } else if (order.expected.finalStatus !== null && shipment.status !== order.expected.finalStatus) {
      failures.push(`${name}: status ${shipment.status}, expected ${order.expected.finalStatus}`);
    } else {
      row.finalStatusOk++;
    }

    const wanted = expectedEmails(order, settings);
    row.emailsExpected += wanted.length;
    for (const milestone of new Set([...wanted, ...order.expected.milestones])) {
      const received = emailCounts.get(`${order.trackingNumber}|${milestone}`) ?? 0;
      emailCounts.delete(`${order.trackingNumber}|${milestone}`);
      const expected = wanted.includes(milestone) ? 1 : 0;
      row.emailsReceived += received;
      if (received !== expected) failures.push(`${name}: ${received} "${milestone}" e-mail(s), expected ${expected}`);
    }

    const wantedStages = expectedShopifyStages(order, settings);
    const events = observed.shopifyEvents.get(order.trackingNumber) ?? [];
    row.shopifyEventsExpected += wantedStages.length;
    const seen = stages(events);
    if (seen.join(" → ") === wantedStages.join(" → ")) row.shopifyOk += wantedStages.length;
    else failures.push(`${name}: Shopify shows ${seen.join(" → ") || "nothing"}, expected ${wantedStages.join(" → ") || "nothing"}`);
  }

  for (const [key, count] of emailCounts) {
    const [trackingNumber, milestone] = key.split("|");
    failures.push(`${trackingNumber}: ${count} unexpected "${milestone}" e-mail(s)`);
  }
  if (observed.strayEmails > 0) failures.push(`${observed.strayEmails} e-mail(s) the SMTP server accepted belong to no demo shipment`);
  return { rows: [...rows.values()].sort((a, b) => a.group.localeCompare(b.group)), failures };
}

export function formatSummary(result: CheckResult): string {
  const header = ["shipments", "final status", "e-mails", "Shopify events"];
  const lines = result.rows.map((row) => [
    row.group,
    String(row.shipments),
    `${row.finalStatusOk}/${row.shipments}`,
    `${row.emailsReceived}/${row.emailsExpected}`,
    `${row.shopifyOk}/${row.shopifyEventsExpected}`,
  ]);
  const total = result.rows.reduce(
    (sum, row) => ({
      shipments: sum.shipments + row.shipments,
      finalStatusOk: sum.finalStatusOk + row.finalStatusOk,
      emailsReceived: sum.emailsReceived + row.emailsReceived,
      emailsExpected: sum.emailsExpected + row.emailsExpected,
      shopifyOk: sum.shopifyOk + row.shopifyOk,
      shopifyEventsExpected: sum.shopifyEventsExpected + row.shopifyEventsExpected,
    }),
    { shipments: 0, finalStatusOk: 0, emailsReceived: 0, emailsExpected: 0, shopifyOk: 0, shopifyEventsExpected: 0 },
  );
  lines.push([
    "total",
    String(total.shipments),
    `${total.finalStatusOk}/${total.shipments}`,
    `${total.emailsReceived}/${total.emailsExpected}`,
    `${total.shopifyOk}/${total.shopifyEventsExpected}`,
  ]);
  const table = [["", ...header], ...lines];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  return table.map((line) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")).join("\n");
}
