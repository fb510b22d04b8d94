import type { ShipmentStatus, ShipmentSubstatus } from "~/domain/shipment-status";

/**
 * UPS activity status types (Track Alert and Track API) mapped to ours.
 * M manifest, MV manifest voided, I in progress (with code OT: out for delivery), D delivery,
 * X exception, U updated delivery date (no status change), plus the Track API's P (pickup) and
 * RS (returned to shipper). Out for delivery is type I code OT, not D (vendor sample, §C.3).
 */

export interface UpsMappedStatus {
  status: ShipmentStatus;
  substatus: ShipmentSubstatus | null;
}

/** Exception codes that mean the parcel is going back to the shipper. */
const RETURN_CODES: ReadonlySet<string> = new Set(["RS", "RT", "RD"]);

/** Null for U (an estimate update) and unknown types: such events change no status. */
export function mapUpsStatus(type: string | null, code: string | null): UpsMappedStatus | null {
  const kind = (type ?? "").toUpperCase();
  const detail = (code ?? "").toUpperCase();
  switch (kind) {
    case "M":
      return { status: "inforeceived", substatus: "label_created" };
    case "MV":
      return { status: "exception", substatus: "manifest_voided" };
    case "P":
      return { status: "transit", substatus: "in_transit" };
    case "I":
      return detail === "OT" ? { status: "pickup", substatus: "out_for_delivery" } : { status: "transit", substatus: "in_transit" };
    case "D":
      // "D = delivery information (loaded on delivery vehicle, out for delivery, delivered)".
      return detail === "OT" ? { status: "pickup", substatus: "out_for_delivery" } : { status: "delivered", substatus: "delivered" };
    case "X":
      return RETURN_CODES.has(detail) ? { status: "exception", substatus: "returning_to_sender" } : { status: "exception", substatus: "other" };
    case "RS":
      return { status: "exception", substatus: "returned_to_sender" };
    default:
      return null;
  }
}
