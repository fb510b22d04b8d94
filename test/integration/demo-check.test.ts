import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { checkSandbox, formatSummary, type ObservedSandbox } from "../../scripts/demo/check";
import { planDemoOrders, type PlannedOrder } from "../../scripts/demo/scenario";
import { testDialect } from "../support/database";

/**
 * `npm run demo -- --check` proves an install works: the whole sandbox (built web server, worker,
 * SQLite, every simulator, SMTP) runs a small shop through its journeys and the checker holds the
 * result against them. The checker itself must fail on each kind of wrong outcome, or a passing
 * check would mean nothing.
 */

const DEFAULTS = { emailMilestones: new Set(["out_for_delivery", "delivered", "failed_attempt", "exception"]), shopifyWriteBack: true };
const SHOPIFY_STATUS: Record<string, string> = { shipped: "CARRIER_PICKED_UP", out_for_delivery: "OUT_FOR_DELIVERY", failed_attempt: "ATTEMPTED_DELIVERY", delivered: "DELIVERED", exception: "DELAYED" };

/** What a flawless run reports for `plan`. */
function perfectRun(plan: readonly PlannedOrder[]): ObservedSandbox {
  return {
    shipments: plan.map((order) => ({ trackingNumber: order.trackingNumber, registrationState: order.expected.registration, status: order.expected.finalStatus ?? "pending" })),
    emails: plan.flatMap((order) => order.expected.milestones.filter((milestone) => DEFAULTS.emailMilestones.has(milestone)).map((milestone) => ({ trackingNumber: order.trackingNumber, milestone }))),
    shopifyEvents: new Map(plan.map((order) => [order.trackingNumber, order.expected.milestones.map((milestone) => SHOPIFY_STATUS[milestone]!)])),
    strayEmails: 0,
  };
}

describe("the demo's checker", () => {
  const plan = planDemoOrders(40, new Date("2026-11-01T00:00:00Z"));
  const failedAttempt = plan.find((order) => order.expected.milestones.includes("failed_attempt"))!;
  const lost = plan.find((order) => order.expected.finalStatus === "exception")!;

  test("the scenario covers every carrier and provider, UPS's test numbers, refused numbers and every journey", () => {
    expect(new Set(plan.map((order) => order.trackingCompany))).toEqual(new Set(["UPS", "USPS", "FedEx", "DHL Express", "Royal Mail"]));
    expect(new Set(plan.map((order) => order.provider))).toEqual(new Set(["trackingmore", "tracktry", "ups"]));
    expect(new Set(plan.map((order) => order.locale))).toEqual(new Set(["en", "fr", "de", "es"]));
    expect(plan.filter((order) => order.provider === "ups").map((order) => order.expected.registration)).toEqual(["registered", "registered", "failed", "failed"]);
    expect(failedAttempt.expected).toEqual({ registration: "registered", finalStatus: "delivered", milestones: ["shipped", "out_for_delivery", "failed_attempt", "delivered"] });
    expect(lost.expected).toEqual({ registration: "registered", finalStatus: "exception", milestones: ["shipped", "exception"] });
    expect(new Set(plan.map((order) => order.trackingNumber)).size).toBe(plan.length);
  });

  test("a run that did what the journeys promise passes, and the summary adds up", () => {
    const result = checkSandbox(plan, perfectRun(plan), DEFAULTS);
    expect(result.failures).toEqual([]);
    const total = formatSummary(result).split("\n").at(-1)!;
    const emails = plan.reduce((sum, order) => sum + order.expected.milestones.filter((milestone) => DEFAULTS.emailMilestones.has(milestone)).length, 0);
    expect(total).toMatch(new RegExp(`^total\\s+40\\s+40/40\\s+${emails}/${emails}\\s`));
  });

  test("a duplicate e-mail, a missing one, and one for a milestone the shop switched off each fail", () => {
    const run = perfectRun(plan);
    const duplicate = { ...run, emails: [...run.emails, { trackingNumber: failedAttempt.trackingNumber, milestone: "delivered" }] };
    expect(checkSandbox(plan, duplicate, DEFAULTS).failures).toEqual([`${failedAttempt.trackingCompany} ${failedAttempt.trackingNumber}: 2 "delivered" e-mail(s), expected 1`]);
    const missing = { ...run, emails: run.emails.filter((email) => !(email.trackingNumber === lost.trackingNumber && email.milestone === "exception")) };
    expect(checkSandbox(plan, missing, DEFAULTS).failures).toEqual([`${lost.trackingCompany} ${lost.trackingNumber}: 0 "exception" e-mail(s), expected 1`]);
    const switchedOff = { ...run, emails: [...run.emails, { trackingNumber: lost.trackingNumber, milestone: "shipped" }] };
    expect(checkSandbox(plan, switchedOff, DEFAULTS).failures).toEqual([`${lost.trackingCompany} ${lost.trackingNumber}: 1 "shipped" e-mail(s), expected 0`]);
    expect(checkSandbox(plan, { ...run, strayEmails: 2 }, DEFAULTS).failures).toEqual(["2 e-mail(s) the SMTP server accepted belong to no demo shipment"]);
  });

  test("a shipment in the wrong status, and Shopify events out of order or written twice, fail", () => {
    const run = perfectRun(plan);
    const stuck = { ...run, shipments: run.shipments.map((shipment) => (shipment.trackingNumber === lost.trackingNumber ? { ...shipment, status: "transit" } : shipment)) };
    expect(checkSandbox(plan, stuck, DEFAULTS).failures).toEqual([`${lost.trackingCompany} ${lost.trackingNumber}: status transit, expected exception`]);

    const events = new Map(run.shopifyEvents);
    events.set(failedAttempt.trackingNumber, ["CARRIER_PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED", "ATTEMPTED_DELIVERY"]);
    expect(checkSandbox(plan, { ...run, shopifyEvents: events }, DEFAULTS).failures).toHaveLength(1);
    // A new delivery date repeats the status Shopify shows: one stage, not a duplicate.
    events.set(failedAttempt.trackingNumber, ["CARRIER_PICKED_UP", "OUT_FOR_DELIVERY", "ATTEMPTED_DELIVERY", "ATTEMPTED_DELIVERY", "DELIVERED"]);
    expect(checkSandbox(plan, { ...run, shopifyEvents: events }, DEFAULTS).failures).toEqual([]);
    events.set(failedAttempt.trackingNumber, ["CARRIER_PICKED_UP", "OUT_FOR_DELIVERY", "ATTEMPTED_DELIVERY", "DELIVERED", "OUT_FOR_DELIVERY", "DELIVERED"]);
    expect(checkSandbox(plan, { ...run, shopifyEvents: events }, DEFAULTS).failures).toHaveLength(1);
    expect(checkSandbox(plan, run, { ...DEFAULTS, shopifyWriteBack: false }).failures).toHaveLength(plan.filter((order) => order.expected.milestones.length > 0).length);
  });
});

// The demo runs on SQLite whatever the suite's dialect: once is enough.
describe.skipIf(testDialect() === "postgresql")("npm run demo -- --check", () => {
  test("a small shop runs through the whole sandbox and the check passes", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", "--check", "--orders", "24"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LOG_LEVEL: "warn" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once("exit", (exitCode) => done(exitCode)));
    expect(code, output).toBe(0);
    expect(output).toMatch(/^total\s+24\s+24\/24\s+(\d+)\/\1\s+(\d+)\/\2$/m);
    expect(output).toContain("check passed: 24 shipments");
  }, 180_000);
});
