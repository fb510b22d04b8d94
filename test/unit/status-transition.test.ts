import { describe, expect, it } from "vitest";
import { SHIPMENT_STATUSES, STATUS_PROGRESS_RANK, type ShipmentStatus, type ShipmentSubstatus } from "~/domain/shipment-status";
import {
  applyObservation,
  firstCarrierScanAt,
  observationAsOf,
  trackingEventIdentity,
  type ShipmentTrackingState,
} from "~/domain/status-transition";
import type { TrackingEventInput, TrackingObservation } from "~/domain/tracking-observation";

const at = (iso: string) => new Date(iso);

function event(iso: string, status: ShipmentStatus | null, overrides: Partial<TrackingEventInput> = {}): TrackingEventInput {
  return {
    occurredAt: at(iso),
    zoneKnown: true,
    status,
    substatus: null,
    description: `${status ?? "scan"} at ${iso}`,
    location: "LOS ANGELES CA",
    city: "LOS ANGELES",
    state: "CA",
    countryCode: "US",
    postalCode: "90052",
    rawStatus: status,
    ...overrides,
  };
}

function observation(
  status: ShipmentStatus | null,
  substatus: ShipmentSubstatus | null,
  overrides: Partial<TrackingObservation> = {},
): TrackingObservation {
  return {
    provider: "trackingmore",
    trackingNumber: "9400111206206406260787",
    carrierCode: "usps",
    providerTrackingId: "9a135b15b5d983e1d8950d99022db0c7",
    status,
    substatus,
    rawStatus: status ? `${status}/${substatus ?? ""}` : null,
    asOf: null,
    events: [],
    ...overrides,
  };
}

function state(overrides: Partial<ShipmentTrackingState> = {}): ShipmentTrackingState {
  return {
    status: "pending",
    substatus: null,
    rawStatus: null,
    statusAsOf: null,
    deliveredAt: null,
    estimatedDeliveryAt: null,
    estimatedDeliveryEndAt: null,
    lastEventAt: null,
    ...overrides,
  };
}

const T = {
  t1: "2024-05-01T16:00:00.000Z",
  t2: "2024-05-02T15:00:00.000Z",
  t3: "2024-05-03T09:30:00.000Z",
  t4: "2024-05-03T18:12:00.000Z",
  t5: "2024-05-06T11:00:00.000Z",
};

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

function fold(start: ShipmentTrackingState, observations: readonly TrackingObservation[]): ShipmentTrackingState {
  return observations.reduce((current, obs) => applyObservation(current, obs).next, start);
}

describe("observationAsOf", () => {
  it("is the newest checkpoint time, whatever order the events come in", () => {
    const obs = observation("transit", "in_transit", {
      asOf: at(T.t5),
      events: [event(T.t2, "transit"), event(T.t3, "transit"), event(T.t1, "inforeceived")],
    });
    expect(observationAsOf(obs)).toEqual(at(T.t3));
  });

  it("falls back to the provider's asOf without checkpoints, and is null with neither", () => {
    expect(observationAsOf(observation("transit", null, { asOf: at(T.t2) }))).toEqual(at(T.t2));
    expect(observationAsOf(observation("transit", null))).toBeNull();
  });
});

describe("applyObservation: ordering by time", () => {
  it("applies a newer observation and records its time", () => {
    const current = state({ status: "inforeceived", substatus: "label_created", statusAsOf: at(T.t1) });
    const result = applyObservation(current, observation("transit", "arrived_at_hub", { events: [event(T.t2, "transit")] }));
    expect(result).toMatchObject({ statusChanged: true, reason: "APPLIED" });
    expect(result.next).toMatchObject({ status: "transit", substatus: "arrived_at_hub", rawStatus: "transit/arrived_at_hub", statusAsOf: at(T.t2) });
  });

  it("refuses an older observation as STALE, whatever its rank", () => {
    const current = state({ status: "transit", substatus: "in_transit", rawStatus: "transit/transit001", statusAsOf: at(T.t3) });
    for (const status of ["inforeceived", "pickup", "undelivered", "exception", "expired", "transit"] as const) {
      const result = applyObservation(current, observation(status, null, { events: [event(T.t2, status)] }));
      expect(result.reason, status).toBe("STALE_OBSERVATION");
      expect(result.statusChanged).toBe(false);
      expect(result.next.status).toBe("transit");
      expect(result.next.substatus).toBe("in_transit");
      expect(result.next.rawStatus).toBe("transit/transit001");
      expect(result.next.statusAsOf).toEqual(at(T.t3));
    }
  });

  it("uses the provider's asOf to judge staleness when there are no checkpoints", () => {
    const current = state({ status: "pickup", substatus: "out_for_delivery", statusAsOf: at(T.t3) });
    const older = applyObservation(current, observation("transit", "in_transit", { asOf: at(T.t2) }));
    expect(older.reason).toBe("STALE_OBSERVATION");
    const newer = applyObservation(current, observation("transit", "in_transit", { asOf: at(T.t4) }));
    expect(newer.reason).toBe("APPLIED");
    expect(newer.next.status).toBe("transit");
  });

  it("judges by the newest checkpoint, not by a later provider asOf (a refresh time)", () => {
    const current = state({ status: "pickup", substatus: "out_for_delivery", statusAsOf: at(T.t3) });
    const result = applyObservation(current, observation("transit", "in_transit", { asOf: at(T.t5), events: [event(T.t2, "transit")] }));
    expect(result.reason).toBe("STALE_OBSERVATION");
    expect(result.next.status).toBe("pickup");
  });

  it("a newer observation may move backwards in rank", () => {
    const cases: Array<[ShipmentStatus, ShipmentSubstatus, ShipmentStatus, ShipmentSubstatus]> = [
      ["exception", "customs_hold", "transit", "customs_cleared"],
      ["pickup", "out_for_delivery", "transit", "in_transit"], // re-routed after going out for delivery
      ["undelivered", "recipient_not_home", "transit", "arrived_at_delivery_facility"],
      ["transit", "in_transit", "inforeceived", "label_created"],
    ];
    for (const [from, fromSub, to, toSub] of cases) {
      expect(STATUS_PROGRESS_RANK[to]).toBeLessThan(STATUS_PROGRESS_RANK[from]);
      const current = state({ status: from, substatus: fromSub, statusAsOf: at(T.t3) });
      const result = applyObservation(current, observation(to, toSub, { events: [event(T.t4, to)] }));
      expect(result, `${from} → ${to}`).toMatchObject({ statusChanged: true, reason: "APPLIED" });
      expect(result.next).toMatchObject({ status: to, substatus: toSub, statusAsOf: at(T.t4) });
    }
  });

  it("refuses a lower-progress status without newer evidence (same time or no time) as WOULD_REGRESS", () => {
    const current = state({ status: "pickup", substatus: "out_for_delivery", statusAsOf: at(T.t3) });
    for (const obs of [
      observation("transit", "in_transit", { events: [event(T.t3, "transit")] }),
      observation("transit", "in_transit", { asOf: at(T.t3) }),
      observation("inforeceived", "label_created"),
      observation("notfound", "no_information"),
    ]) {
      const result = applyObservation(current, obs);
      expect(result.reason).toBe("WOULD_REGRESS");
      expect(result.statusChanged).toBe(false);
      expect(result.next.status).toBe("pickup");
    }
  });

  it("refuses a regression when the stored status has no time at all", () => {
    const current = state({ status: "transit", substatus: "in_transit", statusAsOf: null });
    const result = applyObservation(current, observation("inforeceived", "label_created", { events: [event(T.t5, "inforeceived")] }));
    expect(result.reason).toBe("WOULD_REGRESS");
    expect(result.next.status).toBe("transit");
  });

  it("accepts equal or higher progress at the same time", () => {
    const current = state({ status: "pickup", substatus: "out_for_delivery", statusAsOf: at(T.t3) });
    for (const [status, substatus] of [
      ["exception", "delayed"],
      ["undelivered", "recipient_not_home"],
      ["delivered", "left_at_door"],
    ] as const) {
      const result = applyObservation(current, observation(status, substatus, { asOf: at(T.t3) }));
      expect(result.reason, status).toBe("APPLIED");
      expect(result.next.status).toBe(status);
    }
  });

  it("accepts a higher-progress status from an observation without any time, keeping the stored time", () => {
    const current = state({ status: "transit", substatus: "in_transit", statusAsOf: at(T.t3) });
    const result = applyObservation(current, observation("pickup", "out_for_delivery"));
    expect(result.reason).toBe("APPLIED");
    expect(result.next.status).toBe("pickup");
    expect(result.next.statusAsOf).toEqual(at(T.t3));
  });

  it("lets expired replace any non-final status without newer evidence, but not when stale", () => {
    for (const status of ["transit", "pickup", "undelivered", "exception"] as const) {
      const current = state({ status, substatus: null, statusAsOf: at(T.t3) });
      const sameTime = applyObservation(current, observation("expired", "no_updates", { asOf: at(T.t3) }));
      expect(sameTime.reason, status).toBe("APPLIED");
      expect(sameTime.next.status).toBe("expired");
      const noTime = applyObservation(current, observation("expired", "no_updates"));
      expect(noTime.next.status).toBe("expired");
      const stale = applyObservation(current, observation("expired", "no_updates", { asOf: at(T.t2) }));
      expect(stale.reason).toBe("STALE_OBSERVATION");
      expect(stale.next.status).toBe(status);
    }
  });

  it("every status except expired is refused below every higher rank without evidence", () => {
    for (const from of SHIPMENT_STATUSES) {
      if (from === "delivered") continue;
      for (const to of SHIPMENT_STATUSES) {
        const result = applyObservation(state({ status: from, statusAsOf: at(T.t3) }), observation(to, null, { asOf: at(T.t3) }));
        const shouldRefuse = to !== "expired" && STATUS_PROGRESS_RANK[to] < STATUS_PROGRESS_RANK[from];
        expect(result.reason === "WOULD_REGRESS", `${from} → ${to}`).toBe(shouldRefuse);
        expect(result.next.status, `${from} → ${to}`).toBe(shouldRefuse ? from : to);
      }
    }
  });
});

describe("applyObservation: delivered is final", () => {
  const delivered = state({
    status: "delivered",
    substatus: "signed_for",
    rawStatus: "delivered/delivered003",
    statusAsOf: at(T.t4),
    deliveredAt: at(T.t4),
    lastEventAt: at(T.t4),
  });

  it("refuses every non-exception status, even with newer evidence", () => {
    for (const status of SHIPMENT_STATUSES.filter((s) => s !== "delivered" && s !== "exception")) {
      const result = applyObservation(delivered, observation(status, null, { events: [event(T.t5, status)] }));
      expect(result.reason, status).toBe("DELIVERED_IS_FINAL");
      expect(result.statusChanged).toBe(false);
      expect(result.next.status).toBe("delivered");
      expect(result.next.deliveredAt).toEqual(at(T.t4));
    }
  });

  it("accepts an exception strictly after deliveredAt (a return) and keeps deliveredAt", () => {
    const result = applyObservation(delivered, observation("exception", "returning_to_sender", { events: [event(T.t5, "exception")] }));
    expect(result).toMatchObject({ statusChanged: true, reason: "APPLIED" });
    expect(result.next).toMatchObject({ status: "exception", substatus: "returning_to_sender", statusAsOf: at(T.t5), deliveredAt: at(T.t4) });
  });

  it("refuses an exception at or before deliveredAt", () => {
    for (const when of [T.t4, T.t3]) {
      const result = applyObservation(delivered, observation("exception", "returned_to_sender", { events: [event(when, "exception")] }));
      // Older than what we hold is refused as stale before the delivered rule is even consulted.
      expect(["DELIVERED_IS_FINAL", "STALE_OBSERVATION"], when).toContain(result.reason);
      expect(result.statusChanged).toBe(false);
      expect(result.next.status).toBe("delivered");
    }
    const noTime = applyObservation(delivered, observation("exception", "returned_to_sender"));
    expect(noTime.reason).toBe("DELIVERED_IS_FINAL");
  });

  it("compares with statusAsOf when deliveredAt is unknown", () => {
    const noDeliveredAt = { ...delivered, deliveredAt: null };
    expect(applyObservation(noDeliveredAt, observation("exception", "refused", { asOf: at(T.t4) })).reason).toBe("DELIVERED_IS_FINAL");
    expect(applyObservation(noDeliveredAt, observation("exception", "refused", { asOf: at(T.t5) })).next.status).toBe("exception");
  });

  it("a later delivered re-observation keeps the first deliveredAt", () => {
    const again = observation("delivered", "signed_for", {
      rawStatus: "delivered/delivered003",
      deliveredAt: at(T.t5),
      events: [event(T.t5, "delivered")],
    });
    const result = applyObservation(delivered, again);
    expect(result).toMatchObject({ statusChanged: false, reason: "UNCHANGED" });
    expect(result.next.deliveredAt).toEqual(at(T.t4));
    expect(result.next.statusAsOf).toEqual(at(T.t5));
    expect(result.next.lastEventAt).toEqual(at(T.t5));
  });

  it("an older delivered re-observation moves neither statusAsOf nor deliveredAt back", () => {
    const later = { ...delivered, statusAsOf: at(T.t5), lastEventAt: at(T.t5) };
    const retried = observation("delivered", "signed_for", { rawStatus: "delivered/delivered003", events: [event(T.t4, "delivered")] });
    const result = applyObservation(later, retried);
    expect(result.statusChanged).toBe(false);
    expect(result.next).toEqual(later);
  });

  it("a newer delivered observation with a more precise substatus updates the substatus only", () => {
    const current = { ...delivered, substatus: "delivered" as const, rawStatus: "delivered/delivered001" };
    const result = applyObservation(current, observation("delivered", "signed_for", { events: [event(T.t5, "delivered")] }));
    expect(result).toMatchObject({ statusChanged: true, reason: "APPLIED" });
    expect(result.next).toMatchObject({ status: "delivered", substatus: "signed_for", deliveredAt: at(T.t4) });
  });

  it("an OLDER delivered observation does not change the stored substatus or raw status", () => {
    const signed = { ...delivered, substatus: "signed_for" as const, rawStatus: "delivered/delivered003", statusAsOf: at(T.t5) };
    const retried = observation("delivered", "delivered", { rawStatus: "delivered/delivered001", events: [event(T.t4, "delivered")] });
    const result = applyObservation(signed, retried);
    expect(result).toMatchObject({ statusChanged: false, reason: "STALE_OBSERVATION" });
    expect(result.next).toMatchObject({ substatus: "signed_for", rawStatus: "delivered/delivered003" });
  });

  it("only a return may follow delivered; other exceptions after delivery are refused", () => {
    for (const substatus of ["returned_to_sender", "returning_to_sender", "refused"] as const) {
      const result = applyObservation(delivered, observation("exception", substatus, { events: [event(T.t5, "exception")] }));
      expect(result.next.status, substatus).toBe("exception");
    }
    for (const substatus of ["customs_hold", "damaged_or_lost", "other", null] as const) {
      const result = applyObservation(delivered, observation("exception", substatus, { events: [event(T.t5, "exception")] }));
      expect(result.reason, String(substatus)).toBe("DELIVERED_IS_FINAL");
      expect(result.next.status).toBe("delivered");
    }
  });
});

describe("applyObservation: deliveredAt", () => {
  const inTransit = state({ status: "transit", substatus: "in_transit", statusAsOf: at(T.t2) });

  it("takes observation.deliveredAt first", () => {
    const obs = observation("delivered", "delivered", { deliveredAt: at(T.t3), events: [event(T.t4, "delivered")], asOf: at(T.t5) });
    expect(applyObservation(inTransit, obs).next.deliveredAt).toEqual(at(T.t3));
  });

  it("else the newest delivered checkpoint, not a later non-delivered one", () => {
    const obs = observation("delivered", "delivered", {
      asOf: at(T.t5),
      events: [event(T.t3, "delivered"), event(T.t4, "delivered"), event(T.t2, "transit"), event(T.t5, null, { description: "Proof of delivery uploaded" })],
    });
    expect(applyObservation(inTransit, obs).next.deliveredAt).toEqual(at(T.t4));
  });

  it("else the observation's time (newest checkpoint, then the provider's asOf)", () => {
    const withUntypedEvents = observation("delivered", "delivered", { asOf: at(T.t5), events: [event(T.t4, null)] });
    expect(applyObservation(inTransit, withUntypedEvents).next.deliveredAt).toEqual(at(T.t4));
    const withoutEvents = observation("delivered", "delivered", { asOf: at(T.t3) });
    expect(applyObservation(inTransit, withoutEvents).next.deliveredAt).toEqual(at(T.t3));
    const withNothing = observation("delivered", "delivered");
    expect(applyObservation(inTransit, withNothing).next.deliveredAt).toBeNull();
  });

  it("is not set by a non-delivered status even when the observation carries one", () => {
    const obs = observation("pickup", "out_for_delivery", { deliveredAt: at(T.t4), events: [event(T.t4, "pickup")] });
    expect(applyObservation(inTransit, obs).next.deliveredAt).toBeNull();
  });
});

describe("applyObservation: estimates, lastEventAt, null status", () => {
  const estimate = { start: at("2024-05-07T00:00:00Z"), end: at("2024-05-07T20:00:00Z") };

  it("an observation without a status changes no status but updates the estimate and lastEventAt", () => {
    const current = state({ status: "transit", substatus: "in_transit", rawStatus: "transit/transit001", statusAsOf: at(T.t2), lastEventAt: at(T.t2) });
    const result = applyObservation(current, observation(null, null, { estimatedDelivery: estimate, events: [event(T.t3, null)] }));
    expect(result).toMatchObject({ statusChanged: false, reason: "NO_STATUS_IN_OBSERVATION" });
    expect(result.next).toEqual({
      ...current,
      estimatedDeliveryAt: estimate.start,
      estimatedDeliveryEndAt: estimate.end,
      lastEventAt: at(T.t3),
    });
  });

  it("replaces the estimate (including a missing end) and leaves it alone when none is mentioned", () => {
    const current = state({ status: "transit", statusAsOf: at(T.t2), estimatedDeliveryAt: estimate.start, estimatedDeliveryEndAt: estimate.end });
    const moved = applyObservation(current, observation("transit", "in_transit", { estimatedDelivery: { start: at("2024-05-09T00:00:00Z"), end: null } }));
    expect(moved.next.estimatedDeliveryAt).toEqual(at("2024-05-09T00:00:00Z"));
    expect(moved.next.estimatedDeliveryEndAt).toBeNull();
    const silent = applyObservation(current, observation("transit", "in_transit", { asOf: at(T.t3) }));
    expect(silent.next.estimatedDeliveryAt).toEqual(estimate.start);
    expect(silent.next.estimatedDeliveryEndAt).toEqual(estimate.end);
  });

  it("ignores the estimate of a stale observation, but takes it from a refused one that is not older", () => {
    const current = state({ status: "pickup", substatus: "out_for_delivery", statusAsOf: at(T.t4) });
    const stale = applyObservation(current, observation("transit", "in_transit", { events: [event(T.t2, "transit")], estimatedDelivery: estimate }));
    expect(stale.reason).toBe("STALE_OBSERVATION");
    expect(stale.next.status).toBe("pickup");
    expect(stale.next.estimatedDeliveryAt).toBeNull();
    const regress = applyObservation(current, observation("inforeceived", "label_created", { estimatedDelivery: estimate }));
    expect(regress.reason).toBe("WOULD_REGRESS");
    expect(regress.next.estimatedDeliveryEndAt).toEqual(estimate.end);
  });

  it("never changes the estimate once delivered", () => {
    const original = at("2024-05-04T00:00:00Z");
    const delivered = state({ status: "delivered", substatus: "delivered", statusAsOf: at(T.t4), deliveredAt: at(T.t4), estimatedDeliveryAt: original });
    for (const obs of [
      observation(null, null, { estimatedDelivery: estimate }),
      observation("delivered", "signed_for", { events: [event(T.t5, "delivered")], estimatedDelivery: estimate }),
      observation("transit", "in_transit", { events: [event(T.t5, "transit")], estimatedDelivery: estimate }),
      observation("exception", "returning_to_sender", { events: [event(T.t5, "exception")], estimatedDelivery: estimate }),
    ]) {
      const result = applyObservation(delivered, obs);
      expect(result.next.estimatedDeliveryAt).toEqual(original);
      expect(result.next.estimatedDeliveryEndAt).toBeNull();
    }
  });

  it("lastEventAt is the newest checkpoint ever seen, even from refused observations", () => {
    const current = state({ status: "pickup", statusAsOf: at(T.t4), lastEventAt: at(T.t4) });
    const older = applyObservation(current, observation("transit", null, { events: [event(T.t1, "transit"), event(T.t2, "transit")] }));
    expect(older.next.lastEventAt).toEqual(at(T.t4));
    const none = applyObservation(current, observation("pickup", null));
    expect(none.next.lastEventAt).toEqual(at(T.t4));
    const delivered = state({ status: "delivered", statusAsOf: at(T.t3), deliveredAt: at(T.t3), lastEventAt: at(T.t3) });
    const refused = applyObservation(delivered, observation("transit", null, { events: [event(T.t5, "transit")] }));
    expect(refused.reason).toBe("DELIVERED_IS_FINAL");
    expect(refused.next.lastEventAt).toEqual(at(T.t5));
    const fromNull = applyObservation(state(), observation("transit", null, { events: [event(T.t2, "transit"), event(T.t1, "inforeceived")] }));
    expect(fromNull.next.lastEventAt).toEqual(at(T.t2));
  });

  it("does not mutate the stored state it is given", () => {
    const current = state({ status: "transit", substatus: "in_transit", statusAsOf: at(T.t2) });
    const copy = structuredClone(current);
    applyObservation(current, observation("delivered", "delivered", { events: [event(T.t5, "delivered")], estimatedDelivery: estimate }));
    expect(current).toEqual(copy);
  });
});

describe("applyObservation: statusChanged", () => {
  it.each([
    ["same status and substatus", "transit", "in_transit", false, "UNCHANGED"],
    ["new substatus, same status", "transit", "customs_cleared", true, "APPLIED"],
    ["new status", "pickup", "out_for_delivery", true, "APPLIED"],
  ] as const)("%s → statusChanged %s", (_label, status, substatus, changed, reason) => {
    const current = state({ status: "transit", substatus: "in_transit", rawStatus: "transit/transit001", statusAsOf: at(T.t2) });
    const result = applyObservation(current, observation(status, substatus, { events: [event(T.t3, status)] }));
    expect(result.statusChanged).toBe(changed);
    expect(result.reason).toBe(reason);
    // Accepted either way: the time moves on even when the status stays.
    expect(result.next.statusAsOf).toEqual(at(T.t3));
  });

  it("a substatus going from known to null is a change", () => {
    const current = state({ status: "transit", substatus: "in_transit", statusAsOf: at(T.t2) });
    const result = applyObservation(current, observation("transit", null, { asOf: at(T.t3) }));
    expect(result.statusChanged).toBe(true);
    expect(result.next.substatus).toBeNull();
  });
});

describe("applyObservation: observations folded in any order end at the newest", () => {
  // A journey as a provider reports it: each observation carries the whole history so far.
  function journey(steps: Array<[iso: string, status: ShipmentStatus, substatus: ShipmentSubstatus]>): TrackingObservation[] {
    return steps.map(([, status, substatus], index) =>
      observation(status, substatus, {
        asOf: at(steps[index]![0]),
        events: steps.slice(0, index + 1).map(([iso, s, sub]) => event(iso, s, { substatus: sub })),
      }),
    );
  }

  const delivering = journey([
    [T.t1, "inforeceived", "label_created"],
    [T.t2, "transit", "arrived_at_hub"],
    [T.t3, "pickup", "out_for_delivery"],
    [T.t4, "delivered", "left_at_door"],
  ]);

  const rerouted = journey([
    [T.t1, "transit", "in_transit"],
    [T.t2, "pickup", "out_for_delivery"],
    [T.t3, "exception", "delayed"],
    [T.t4, "transit", "arrived_at_delivery_facility"],
  ]);

  const returned = journey([
    [T.t2, "transit", "in_transit"],
    [T.t3, "undelivered", "recipient_not_home"],
    [T.t4, "delivered", "collected_by_recipient"],
    [T.t5, "exception", "returned_to_sender"],
  ]);

  // Each observation only knows its own latest checkpoint (webhooks sending the delta).
  const deltas = rerouted.map((obs) => ({ ...obs, events: obs.events.slice(-1) }));

  const cases: Array<[string, TrackingObservation[]]> = [
    ["delivered journey", delivering],
    ["re-routed journey ending in transit", rerouted],
    ["return after delivery", returned],
    ["re-routed journey, one checkpoint per observation", deltas],
    ["re-routed journey, provider asOf only", rerouted.map((obs) => ({ ...obs, events: [] }))],
  ];

  it.each(cases)("%s: all 24 orders end at the newest observation's status", (_label, observations) => {
    const orders = permutations(observations);
    expect(orders).toHaveLength(24);
    const newest = observations[observations.length - 1]!;
    const seen = new Set<string>();
    for (const order of orders) {
      const final = fold(state(), order);
      const label = order.map((o) => `${o.status}/${o.substatus}`).join(" → ");
      seen.add(label);
      expect(final.status, label).toBe(newest.status);
      expect(final.substatus, label).toBe(newest.substatus);
      expect(final.rawStatus, label).toBe(newest.rawStatus);
      expect(final.statusAsOf, label).toEqual(observationAsOf(newest));
      expect(final.lastEventAt, label).toEqual(
        newest.events.length ? observationAsOf(newest) : null,
      );
    }
    expect(seen.size).toBe(24);
  });

  it("the delivered journey's deliveredAt is the delivery checkpoint in every order", () => {
    for (const order of permutations(delivering)) {
      expect(fold(state(), order).deliveredAt).toEqual(at(T.t4));
    }
  });

  it("the newest observation is never overridden once applied, whatever comes after it", () => {
    for (const [, observations] of cases) {
      const newest = observations[observations.length - 1]!;
      const afterNewest = applyObservation(state(), newest).next;
      for (const older of observations.slice(0, -1)) {
        const result = applyObservation(afterNewest, older);
        expect(result.statusChanged).toBe(false);
        expect(result.next.status).toBe(newest.status);
      }
    }
  });
});

describe("trackingEventIdentity", () => {
  const base = event("2024-05-02T15:00:12.000Z", "transit", {
    description: "Arrived at USPS Regional Facility",
    location: "LOS ANGELES CA",
  });

  it.each([
    ["different seconds", { occurredAt: at("2024-05-02T15:00:48.000Z") }],
    ["different milliseconds", { occurredAt: at("2024-05-02T15:00:12.999Z") }],
    ["same instant written in another zone", { occurredAt: at("2024-05-02T08:00:30-07:00") }],
    ["surrounding and repeated whitespace", { description: "  Arrived at   USPS\tRegional Facility ", location: " LOS  ANGELES CA" }],
    ["different case", { description: "ARRIVED AT USPS REGIONAL FACILITY", location: "los angeles ca" }],
    ["different status fields", { status: null, substatus: null, rawStatus: "transit/transit002", zoneKnown: false }],
    ["different city, state, zip when location is set", { city: "LA", state: null, postalCode: null }],
  ] as const)("same checkpoint with %s → same identity", (_label, overrides) => {
    expect(trackingEventIdentity({ ...base, ...overrides })).toBe(trackingEventIdentity(base));
  });

  it.each([
    ["another description", { description: "Departed USPS Regional Facility" }],
    ["another location", { location: "SANTA CLARITA CA" }],
    ["another minute", { occurredAt: at("2024-05-02T15:01:12.000Z") }],
    ["another hour", { occurredAt: at("2024-05-02T16:00:12.000Z") }],
    ["another day", { occurredAt: at("2024-05-03T15:00:12.000Z") }],
  ] as const)("a checkpoint with %s → different identity", (_label, overrides) => {
    expect(trackingEventIdentity({ ...base, ...overrides })).not.toBe(trackingEventIdentity(base));
  });

  it("uses the city when there is no location", () => {
    const noLocation = { ...base, location: null, city: "Los Angeles" };
    expect(trackingEventIdentity(noLocation)).toBe(trackingEventIdentity({ ...noLocation, city: " LOS ANGELES " }));
    expect(trackingEventIdentity(noLocation)).not.toBe(trackingEventIdentity({ ...noLocation, city: "Oakland" }));
    expect(trackingEventIdentity({ ...base, location: null, city: null })).not.toBe(trackingEventIdentity(noLocation));
  });
});

describe("firstCarrierScanAt", () => {
  it("is the earliest event past inforeceived, ignoring labels and events without a status", () => {
    const events = [
      event("2026-11-01T08:00:00Z", "inforeceived"),
      event("2026-11-01T09:00:00Z", null),
      event("2026-11-03T08:00:00Z", "transit"),
      event("2026-11-02T18:00:00Z", "pickup"),
    ];
    expect(firstCarrierScanAt(null, events)).toEqual(at("2026-11-02T18:00:00Z"));
    expect(firstCarrierScanAt(null, [event("2026-11-01T08:00:00Z", "inforeceived")])).toBeNull();
  });

  it("never moves later, only earlier", () => {
    const known = at("2026-11-02T00:00:00Z");
    expect(firstCarrierScanAt(known, [event("2026-11-05T00:00:00Z", "delivered")])).toEqual(known);
    expect(firstCarrierScanAt(known, [event("2026-11-01T00:00:00Z", "exception")])).toEqual(at("2026-11-01T00:00:00Z"));
    for (const status of ["transit", "pickup", "undelivered", "delivered", "exception"] as const) {
      expect(firstCarrierScanAt(null, [event("2026-11-01T00:00:00Z", status)])).toEqual(at("2026-11-01T00:00:00Z"));
    }
    for (const status of ["pending", "notfound", "inforeceived", "expired"] as const) {
      expect(firstCarrierScanAt(null, [event("2026-11-01T00:00:00Z", status)])).toBeNull();
    }
  });
});
