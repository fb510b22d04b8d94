/**
 * Activity statuses. A status carries both the Track API fields (`simplifiedTextDescription`,
 * `statusCode`) and, through `statusCode`, Track Alert's `descriptionCode`: the documented pairs agree
 * (003 Shipment Ready for UPS, 005 On the Way, 011 Delivered), so one record feeds both APIs.
 */

export interface UpsStatus {
  /** D delivery, I on the way, M manifest, MV manifest void, U updated delivery, X exception (Track API may also use P, RS). */
  type: string;
  code: string;
  description: string;
  /** Track API only; defaults from `type`. */
  simplifiedTextDescription?: string;
  /** Track API `statusCode` = Track Alert `descriptionCode`; blank when unknown. */
  statusCode?: string;
}

export type StatusPreset = "manifest" | "pickup" | "in_transit" | "out_for_delivery" | "delivered" | "exception" | "manifest_void" | "updated_delivery";

export const STATUS_PRESET_NAMES: readonly StatusPreset[] = [
  "manifest",
  "pickup",
  "in_transit",
  "out_for_delivery",
  "delivered",
  "exception",
  "manifest_void",
  "updated_delivery",
];

/**
 * The first five are the documented Track Alert examples (type, code, description, descriptionCode).
 * The last three have no documented example: UPS's code list is not in our sources, so their `code`
 * and `statusCode` are blank (the contract's "blank when unknown") and only `type` is meaningful.
 */
export const STATUS_PRESETS: Readonly<Record<StatusPreset, Required<UpsStatus>>> = {
  manifest: { type: "M", code: "MP", description: "Shipment Ready for UPS", simplifiedTextDescription: "Label Created", statusCode: "003" },
  pickup: { type: "I", code: "OR", description: "On the Way", simplifiedTextDescription: "On the Way", statusCode: "005" },
  in_transit: { type: "I", code: "DP", description: "On the Way", simplifiedTextDescription: "On the Way", statusCode: "005" },
  // Out for delivery is type I, not D (documented example 6).
  out_for_delivery: { type: "I", code: "OT", description: "Out for Delivery", simplifiedTextDescription: "Out for Delivery", statusCode: "021" },
  delivered: { type: "D", code: "FS", description: "Delivered", simplifiedTextDescription: "Delivered", statusCode: "011" },
  exception: { type: "X", code: "", description: "Exception: Action Required", simplifiedTextDescription: "Exception", statusCode: "" },
  manifest_void: { type: "MV", code: "", description: "Shipment Canceled", simplifiedTextDescription: "Shipment Canceled", statusCode: "" },
  updated_delivery: { type: "U", code: "", description: "Delivery Date Updated", simplifiedTextDescription: "Delivery Updated", statusCode: "" },
};

/** Documented CIE step 4/5, not one of the preset names. */
export const PREPARING_FOR_DELIVERY: Required<UpsStatus> = {
  type: "I",
  code: "YP",
  description: "Preparing for Delivery",
  simplifiedTextDescription: "Preparing for Delivery",
  statusCode: "071",
};

const SIMPLIFIED_BY_TYPE: Readonly<Record<string, string>> = {
  D: "Delivered",
  I: "On the Way",
  P: "On the Way",
  M: "Label Created",
  MV: "Shipment Canceled",
  U: "Delivery Updated",
  X: "Exception",
  RS: "Returned to Sender",
};

export function isStatusPreset(value: unknown): value is StatusPreset {
  return typeof value === "string" && (STATUS_PRESET_NAMES as readonly string[]).includes(value);
}

export function resolveStatus(status: UpsStatus | StatusPreset): Required<UpsStatus> {
  if (typeof status === "string") {
    if (!isStatusPreset(status)) throw new Error(`unknown status preset ${JSON.stringify(status)}; use one of ${STATUS_PRESET_NAMES.join(", ")}`);
    return { ...STATUS_PRESETS[status] };
  }
  for (const field of ["type", "code", "description"] as const) {
    if (typeof status[field] !== "string") throw new Error(`status.${field} must be a string`);
  }
  if (status.type === "") throw new Error("status.type must not be empty");
  return {
    type: status.type,
    code: status.code,
    description: status.description,
    simplifiedTextDescription: status.simplifiedTextDescription ?? SIMPLIFIED_BY_TYPE[status.type] ?? status.description,
    statusCode: status.statusCode ?? "",
  };
}
