import { z } from "zod";

/**
 * Shapes of TrackingMore's raw responses (carrier-and-shopify-apis.md §A). Lenient on purpose:
 * optional fields are often null, "", or missing, and unknown fields are kept. Only what the
 * mappers rely on is required.
 */

const optionalText = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((value) => (value === null || value === undefined || value === "" ? null : String(value)));

export const v4CheckpointSchema = z.looseObject({
  checkpoint_date: optionalText,
  checkpoint_delivery_status: optionalText,
  checkpoint_delivery_substatus: optionalText,
  tracking_detail: optionalText,
  location: optionalText,
  country_iso2: optionalText,
  state: optionalText,
  city: optionalText,
  zip: optionalText,
  raw_status: optionalText,
});

const v4CarrierInfoSchema = z
  .looseObject({
    trackinfo: z.array(v4CheckpointSchema).nullish(),
    milestone_date: z.looseObject({ delivery_date: optionalText }).nullish(),
  })
  .nullish();

export const v4TrackingSchema = z.looseObject({
  id: optionalText,
  tracking_number: z.string().min(1),
  courier_code: optionalText,
  delivery_status: optionalText,
  substatus: optionalText,
  latest_checkpoint_time: optionalText,
  update_at: optionalText,
  scheduled_delivery_date: optionalText,
  destination_country: optionalText,
  signed_by: optionalText,
  origin_info: v4CarrierInfoSchema,
  destination_info: v4CarrierInfoSchema,
});
export type V4Tracking = z.infer<typeof v4TrackingSchema>;

export const v4MetaSchema = z.looseObject({ code: z.coerce.number(), message: z.string().nullish() });
export const v4EnvelopeSchema = z.looseObject({ meta: v4MetaSchema, data: z.unknown().optional() });

const v4BatchItemSchema = z.looseObject({
  id: optionalText,
  tracking_number: z.string(),
  courier_code: optionalText,
  errorCode: z.coerce.number().optional(),
  errorMessage: optionalText,
});
export const v4BatchDataSchema = z.looseObject({
  success: z.array(v4BatchItemSchema).nullish().transform((v) => v ?? []),
  error: z.array(v4BatchItemSchema).nullish().transform((v) => v ?? []),
});

export const v4DetectDataSchema = z.array(z.looseObject({ courier_code: z.string(), courier_name: optionalText }));

/** v4 webhook: only `data` is relied on; the envelope around it is undocumented. */
export const v4WebhookBodySchema = z.looseObject({ data: v4TrackingSchema });

// ---- v2 family (TrackingMore v2, Tracktry v1) ----

export const v2CheckpointSchema = z.looseObject({
  Date: optionalText,
  StatusDescription: optionalText,
  Details: optionalText,
  checkpoint_status: optionalText,
  substatus: optionalText,
});

const v2CarrierInfoSchema = z.looseObject({ trackinfo: z.array(v2CheckpointSchema).nullish() }).nullish();

export const v2TrackingSchema = z.looseObject({
  id: optionalText,
  tracking_number: z.string().min(1),
  carrier_code: optionalText,
  status: optionalText,
  substatus: optionalText,
  updated_at: optionalText,
  lastUpdateTime: optionalText,
  destination_country: optionalText,
  origin_info: v2CarrierInfoSchema,
  destination_info: v2CarrierInfoSchema,
});
export type V2Tracking = z.infer<typeof v2TrackingSchema>;

export const v2EnvelopeSchema = z.looseObject({
  meta: z.looseObject({ code: z.coerce.number(), type: z.string().nullish(), message: z.string().nullish() }),
  data: z.unknown().optional(),
});

export const v2BatchDataSchema = z.looseObject({
  trackings: z.array(z.looseObject({ id: optionalText, tracking_number: z.string(), carrier_code: optionalText })).nullish().transform((v) => v ?? []),
  errors: z
    .array(z.looseObject({ tracking_number: z.string(), carrier_code: optionalText, code: z.coerce.number(), message: optionalText }))
    .nullish()
    .transform((v) => v ?? []),
});

export const v2ListDataSchema = z.looseObject({
  page: z.coerce.number().optional(),
  limit: z.coerce.number().optional(),
  total: z.coerce.number().optional(),
  items: z.array(z.unknown()).nullish().transform((v) => v ?? []),
});

export const v2DetectDataSchema = z.array(z.looseObject({ code: z.string(), name: optionalText }));

export const v2WebhookBodySchema = z.looseObject({
  data: v2TrackingSchema,
  verifyInfo: z.looseObject({ timeStr: z.union([z.string(), z.number()]), signature: z.string() }),
});
