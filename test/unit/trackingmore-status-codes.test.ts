import { describe, expect, it } from "vitest";
import { mapTrackingMoreStatus } from "~/adapters/trackingmore/status-codes";
import { SHIPMENT_STATUSES, SHIPMENT_SUBSTATUSES, type ShipmentStatus } from "~/domain/shipment-status";

// Expected meanings from carrier-and-shopify-apis.md §A.2 "Delivery status / substatus":
// notfound001 = info received, notfound002 = no info, transit001…005 = on the way / arrived at hub /
// arrived at delivery facility / arrived in destination country / customs cleared, delivered001…004 =
// delivered / picked up by customer / signed / left at door, exception004…011 = unclaimed, other,
// customs hold, damaged or lost, cancelled, refused, returned, returning. The [3P] codes
// (inforeceived001, transit006/007, pickup001–003, undelivered001–004, exception001–003, expired001)
// follow the same families.
const SUBSTATUS_TABLE: ReadonlyArray<[code: string, status: ShipmentStatus, substatus: string]> = [
  ["notfound001", "inforeceived", "label_created"],
  ["notfound002", "notfound", "no_information"],
  ["inforeceived001", "inforeceived", "label_created"],
  ["transit001", "transit", "in_transit"],
  ["transit002", "transit", "arrived_at_hub"],
  ["transit003", "transit", "arrived_at_delivery_facility"],
  ["transit004", "transit", "arrived_in_destination_country"],
  ["transit005", "transit", "customs_cleared"],
  ["transit006", "transit", "dispatched"],
  ["transit007", "transit", "departed"],
  ["pickup001", "pickup", "out_for_delivery"],
  ["pickup002", "pickup", "ready_for_collection"],
  ["pickup003", "pickup", "delivery_being_arranged"],
  ["undelivered001", "undelivered", "address_issue"],
  ["undelivered002", "undelivered", "recipient_not_home"],
  ["undelivered003", "undelivered", "address_issue"],
  ["undelivered004", "undelivered", "other"],
  ["delivered001", "delivered", "delivered"],
  ["delivered002", "delivered", "collected_by_recipient"],
  ["delivered003", "delivered", "signed_for"],
  ["delivered004", "delivered", "left_at_door"],
  ["exception001", "exception", "other"],
  ["exception002", "exception", "other"],
  ["exception003", "exception", "other"],
  ["exception004", "exception", "unclaimed"],
  ["exception005", "exception", "other"],
  ["exception006", "exception", "customs_hold"],
  ["exception007", "exception", "damaged_or_lost"],
  ["exception008", "exception", "cancelled"],
  ["exception009", "exception", "refused"],
  ["exception010", "exception", "returned_to_sender"],
  ["exception011", "exception", "returning_to_sender"],
  ["expired001", "expired", "no_updates"],
];

/** The status family a substatus code belongs to, as the provider names it ("transit" for "transit003"). */
function familyOf(code: string): string {
  return code.replace(/\d+$/, "");
}

/** "not found001" style: v2 spells the notfound family with a space. */
function withSpace(code: string): string {
  return code.replace(/^notfound/, "not found");
}

// Substatus we expect when only a status arrives: the most generic member of the family.
const STATUS_ONLY: ReadonlyArray<[status: string, expected: ShipmentStatus, substatus: string | null]> = [
  ["pending", "pending", null],
  ["notfound", "notfound", "no_information"],
  ["inforeceived", "inforeceived", "label_created"],
  ["transit", "transit", "in_transit"],
  ["pickup", "pickup", "out_for_delivery"],
  ["undelivered", "undelivered", "other"],
  ["delivered", "delivered", "delivered"],
  ["exception", "exception", "other"],
  ["expired", "expired", "no_updates"],
];

describe("mapTrackingMoreStatus: v4 substatus codes", () => {
  it.each(SUBSTATUS_TABLE)("%s → %s/%s", (code, status, substatus) => {
    const provider = code === "notfound001" ? "notfound" : familyOf(code);
    expect(mapTrackingMoreStatus(provider, code)).toEqual({ status, substatus, raw: `${provider}/${code}` });
  });

  it("covers every status family of the v4 vocabulary", () => {
    const statuses = new Set(SUBSTATUS_TABLE.map(([, status]) => status));
    // pending has no substatus codes; every other status is reachable from a substatus.
    expect([...statuses].sort()).toEqual(SHIPMENT_STATUSES.filter((s) => s !== "pending").sort());
  });
});

describe("mapTrackingMoreStatus: status without a substatus", () => {
  it.each(STATUS_ONLY)("%s alone → %s with default substatus %s", (provider, status, substatus) => {
    for (const missing of [undefined, null, ""]) {
      expect(mapTrackingMoreStatus(provider, missing)).toEqual({ status, substatus, raw: provider });
    }
  });

  it.each(STATUS_ONLY)("%s with an unknown substatus code falls back to the default", (provider, status, substatus) => {
    expect(mapTrackingMoreStatus(provider, `${provider}999`)).toEqual({ status, substatus, raw: `${provider}/${provider}999` });
  });
});

describe("mapTrackingMoreStatus: v2 spellings", () => {
  it("reads v2's info received (notfound + notfound001) as our inforeceived", () => {
    expect(mapTrackingMoreStatus("notfound", "notfound001")).toEqual({
      status: "inforeceived",
      substatus: "label_created",
      raw: "notfound/notfound001",
    });
  });

  it.each([
    ["notfound", "not found001", "inforeceived", "label_created"],
    ["notfound", "not found002", "notfound", "no_information"],
    ["not found", "not found002", "notfound", "no_information"],
    ["not found", null, "notfound", "no_information"],
    ["not  found", "not\tfound001", "inforeceived", "label_created"],
  ] as const)("status %j substatus %j → %s/%s and keeps the raw spelling", (status, substatus, expected, expectedSub) => {
    const mapped = mapTrackingMoreStatus(status, substatus);
    expect(mapped).toMatchObject({ status: expected, substatus: expectedSub });
    expect(mapped?.raw).toBe([status, substatus].filter(Boolean).join("/"));
  });

  it.each(SUBSTATUS_TABLE)("upper case and mixed case %s map like lower case", (code, status, substatus) => {
    const family = familyOf(code);
    for (const [s, sub] of [
      [family.toUpperCase(), code.toUpperCase()],
      [family[0]!.toUpperCase() + family.slice(1), code[0]!.toUpperCase() + code.slice(1)],
      [` ${family} `, ` ${withSpace(code).toUpperCase()} `],
    ]) {
      const mapped = mapTrackingMoreStatus(s, sub);
      expect(mapped).toMatchObject({ status, substatus });
      expect(mapped?.raw).toBe(`${s}/${sub}`);
    }
  });

  it("upper-case status alone maps with its default substatus", () => {
    expect(mapTrackingMoreStatus("DELIVERED")).toEqual({ status: "delivered", substatus: "delivered", raw: "DELIVERED" });
    expect(mapTrackingMoreStatus("InfoReceived")).toEqual({ status: "inforeceived", substatus: "label_created", raw: "InfoReceived" });
  });
});

describe("mapTrackingMoreStatus: precedence and unknowns", () => {
  it("a known substatus wins over the status it arrived with", () => {
    expect(mapTrackingMoreStatus("transit", "delivered003")).toMatchObject({ status: "delivered", substatus: "signed_for" });
    expect(mapTrackingMoreStatus("pending", "exception010")).toMatchObject({ status: "exception", substatus: "returned_to_sender" });
  });

  it("a known substatus maps even when the status is unknown or missing", () => {
    expect(mapTrackingMoreStatus("something-new", "pickup002")).toEqual({
      status: "pickup",
      substatus: "ready_for_collection",
      raw: "something-new/pickup002",
    });
    expect(mapTrackingMoreStatus(null, "transit004")).toEqual({
      status: "transit",
      substatus: "arrived_in_destination_country",
      raw: "transit004",
    });
  });

  it.each([
    ["lost", undefined],
    ["lost", "lost001"],
    ["in transit", null],
    ["", ""],
    [null, null],
    [undefined, undefined],
    ["transit001", null], // a substatus code in the status field is not a status
    ["deliveredd", "delivered0001"],
  ])("unknown status %j / %j → null", (status, substatus) => {
    expect(mapTrackingMoreStatus(status, substatus)).toBeNull();
  });
});

describe("mapTrackingMoreStatus only produces substatuses our model allows for the status", () => {
  const inputs: Array<[string | null, string | null]> = [];
  for (const [code] of SUBSTATUS_TABLE) {
    const family = familyOf(code);
    inputs.push([family, code], [null, code], ["pending", code], [family.toUpperCase(), withSpace(code)]);
  }
  for (const [status] of STATUS_ONLY) {
    inputs.push([status, null], [status, `${status}000`], [status.toUpperCase(), ""]);
  }

  it(`holds for ${inputs.length} provider inputs`, () => {
    let checked = 0;
    for (const [status, substatus] of inputs) {
      const mapped = mapTrackingMoreStatus(status, substatus);
      expect(mapped, `${status}/${substatus}`).not.toBeNull();
      const allowed: readonly string[] = SHIPMENT_SUBSTATUSES[mapped!.status];
      if (mapped!.substatus === null) {
        expect(allowed, `${status}/${substatus} has no substatus, so ${mapped!.status} must have none`).toEqual([]);
      } else {
        expect(allowed, `${status}/${substatus} → ${mapped!.status}/${mapped!.substatus}`).toContain(mapped!.substatus);
      }
      checked++;
    }
    expect(checked).toBe(inputs.length);
  });
});
