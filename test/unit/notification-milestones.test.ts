import { describe, expect, it } from "vitest";
import {
  milestoneEnabled,
  milestoneForStatus,
  milestonesEarned,
  recordDecision,
  sendTimeDecision,
  type MilestoneSnapshot,
} from "~/domain/notification-milestones";

const T0 = new Date("2026-11-24T08:00:00Z");
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

function snapshot(overrides: Partial<MilestoneSnapshot> = {}): MilestoneSnapshot {
  return { status: "transit", substatus: "in_transit", shippedAt: hours(-48), estimatedDeliveryAt: null, statusAsOf: hours(-1), ...overrides };
}

describe("milestoneForStatus", () => {
  it("names the moments customers hear about, and keeps a driver on the way apart from a parcel at a counter", () => {
    expect(milestoneForStatus("pickup", "out_for_delivery")).toBe("out_for_delivery");
    expect(milestoneForStatus("pickup", null)).toBe("out_for_delivery");
    expect(milestoneForStatus("pickup", "ready_for_collection")).toBe("available_for_pickup");
    expect(milestoneForStatus("pickup", "delivery_being_arranged")).toBeNull();
    expect(milestoneForStatus("undelivered", "recipient_not_home")).toBe("failed_attempt");
    expect(milestoneForStatus("delivered", "left_at_door")).toBe("delivered");
    expect(milestoneForStatus("exception", "customs_hold")).toBe("exception");
    for (const quiet of ["pending", "notfound", "inforeceived", "transit", "expired"] as const) expect(milestoneForStatus(quiet, null)).toBeNull();
  });
});

describe("milestonesEarned", () => {
  it("a status change earns its milestone, dated by the carrier evidence", () => {
    const earned = milestonesEarned(snapshot(), snapshot({ status: "pickup", substatus: "out_for_delivery", statusAsOf: hours(0) }), hours(1));
    expect(earned).toEqual([{ milestone: "out_for_delivery", dedupeKey: "out_for_delivery", occurredAt: hours(0) }]);
  });

  it("the first carrier scan earns 'shipped' once", () => {
    const before = snapshot({ status: "inforeceived", substatus: "label_created", shippedAt: null });
    const after = snapshot({ shippedAt: hours(-3) });
    expect(milestonesEarned(before, after, T0)).toEqual([{ milestone: "shipped", dedupeKey: "shipped", occurredAt: hours(-3) }]);
    expect(milestonesEarned(after, after, T0)).toEqual([]);
  });

  it("the same milestone again with another substatus earns nothing", () => {
    const delayed = snapshot({ status: "exception", substatus: "delayed" });
    expect(milestonesEarned(delayed, { ...delayed, substatus: "customs_hold" }, T0)).toEqual([]);
  });

  it("an estimate moved by a day or more earns 'new_delivery_date' keyed by the new date; less than a day earns nothing", () => {
    const before = snapshot({ estimatedDeliveryAt: new Date("2026-11-26T00:00:00Z") });
    const moved = milestonesEarned(before, { ...before, estimatedDeliveryAt: new Date("2026-11-28T00:00:00Z") }, T0);
    // Dated when we learnt it: the status it came with may be days old, the news is not.
    expect(moved).toEqual([{ milestone: "new_delivery_date", dedupeKey: "new_delivery_date:2026-11-28", occurredAt: T0 }]);
    expect(milestonesEarned(before, { ...before, estimatedDeliveryAt: new Date("2026-11-26T18:00:00Z") }, T0)).toEqual([]);
    // A first estimate is not a "new" date.
    expect(milestonesEarned(snapshot(), { ...snapshot(), estimatedDeliveryAt: new Date("2026-11-28T00:00:00Z") }, T0)).toEqual([]);
  });

  it("an update that both moves the status and is the first scan earns both", () => {
    const before = snapshot({ status: "inforeceived", substatus: null, shippedAt: null });
    const after = snapshot({ status: "pickup", substatus: "out_for_delivery", shippedAt: hours(-2), statusAsOf: hours(-1) });
    expect(milestonesEarned(before, after, T0).map((m) => m.milestone)).toEqual(["shipped", "out_for_delivery"]);
  });
});

describe("recordDecision", () => {
  it("queues an enabled, fresh milestone; records a switched-off or stale one as skipped", () => {
    expect(recordDecision({ occurredAt: hours(-71), now: T0, enabled: true, maxEventAgeHours: 72 })).toEqual({ state: "queued" });
    expect(recordDecision({ occurredAt: hours(-73), now: T0, enabled: true, maxEventAgeHours: 72 })).toEqual({ state: "skipped", reason: "stale" });
    expect(recordDecision({ occurredAt: T0, now: T0, enabled: false, maxEventAgeHours: 72 })).toEqual({ state: "skipped", reason: "disabled" });
  });
});

describe("sendTimeDecision", () => {
  const base = { occurredAt: hours(0), enabled: true, alreadySent: [] };

  it("sends when nothing newer happened", () => {
    expect(sendTimeDecision({ ...base, milestone: "out_for_delivery", current: { status: "pickup" } })).toEqual({ send: true });
    expect(sendTimeDecision({ ...base, milestone: "shipped", current: { status: "transit" } })).toEqual({ send: true });
  });

  it("never sends 'out for delivery' once the parcel shows as delivered, or after 'delivered' was sent", () => {
    expect(sendTimeDecision({ ...base, milestone: "out_for_delivery", current: { status: "delivered" } })).toEqual({ send: false, reason: "superseded" });
    expect(
      sendTimeDecision({ ...base, milestone: "out_for_delivery", current: { status: "pickup" }, alreadySent: [{ milestone: "delivered", occurredAt: hours(-1) }] }),
    ).toEqual({ send: false, reason: "superseded" });
  });

  it("orders milestones level with each other by when they happened", () => {
    const failedEarlier = { milestone: "failed_attempt" as const, occurredAt: hours(-2) };
    expect(sendTimeDecision({ ...base, milestone: "out_for_delivery", current: { status: "pickup" }, alreadySent: [failedEarlier] })).toEqual({ send: true });
    const failedLater = { milestone: "failed_attempt" as const, occurredAt: hours(2) };
    expect(sendTimeDecision({ ...base, milestone: "out_for_delivery", current: { status: "pickup" }, alreadySent: [failedLater] })).toEqual({
      send: false,
      reason: "superseded",
    });
  });

  it("a milestone switched off since it was recorded is not sent", () => {
    expect(sendTimeDecision({ ...base, enabled: false, milestone: "delivered", current: { status: "delivered" } })).toEqual({ send: false, reason: "disabled" });
  });
});

describe("milestoneEnabled", () => {
  it("follows the defaults until the merchant chooses", () => {
    expect(milestoneEnabled(null, "delivered")).toBe(true);
    expect(milestoneEnabled(null, "shipped")).toBe(false);
    expect(milestoneEnabled({ shipped: { enabled: true } }, "shipped")).toBe(true);
    expect(milestoneEnabled({ delivered: { enabled: false } }, "delivered")).toBe(false);
  });
});
