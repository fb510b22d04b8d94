import { z } from "zod";

/**
 * Shapes of UPS's raw responses and pushes (carrier-and-shopify-apis.md §C, vendor-docs/
 * ups-track-alert-api-v1.txt). UPS sends every field as a string, often blank; blanks become null.
 */

const text = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((value) => {
    if (value === null || value === undefined) return null;
    const trimmed = String(value).trim();
    return trimmed === "" ? null : trimmed;
  });

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: text,
  // A string of seconds ("14399"), per the documentation; numbers are tolerated.
  expires_in: z.union([z.string(), z.number()]).transform((value) => Number(value)),
  status: text,
});

export const upsErrorSchema = z.looseObject({
  response: z.looseObject({
    errors: z.array(z.looseObject({ code: text, message: text })).nullish(),
  }),
});

/**
 * A 200 names at least one of the lists (the documented success example omits an empty
 * `invalidTrackingNumbers`); a body with neither is not an answer about our numbers.
 */
export const subscriptionResponseSchema = z
  .looseObject({
    validTrackingNumbers: z.array(z.string()).nullish(),
    invalidTrackingNumbers: z.array(z.string()).nullish(),
  })
  .refine((body) => Boolean(body.validTrackingNumbers ?? body.invalidTrackingNumbers), "neither validTrackingNumbers nor invalidTrackingNumbers")
  .transform((body) => ({ ...body, validTrackingNumbers: body.validTrackingNumbers ?? [], invalidTrackingNumbers: body.invalidTrackingNumbers ?? [] }));

const statusSchema = z
  .looseObject({ type: text, code: text, description: text, descriptionCode: text, simplifiedTextDescription: text, statusCode: text })
  .nullish();

const addressSchema = z
  .looseObject({ city: text, stateProvince: text, postalCode: text, country: text, countryCode: text })
  .nullish();

export const trackActivitySchema = z.looseObject({
  date: text,
  time: text,
  gmtDate: text,
  gmtTime: text,
  gmtOffset: text,
  location: z.looseObject({ address: addressSchema }).nullish(),
  status: statusSchema,
});

export const trackPackageSchema = z.looseObject({
  trackingNumber: z.string(),
  currentStatus: statusSchema,
  deliveryDate: z.array(z.looseObject({ type: text, date: text })).nullish(),
  deliveryTime: z.looseObject({ type: text, startTime: text, endTime: text }).nullish(),
  deliveryInformation: z.looseObject({ location: text, receivedBy: text }).nullish(),
  activity: z.array(trackActivitySchema).nullish(),
});
export type TrackPackage = z.infer<typeof trackPackageSchema>;

export const trackResponseSchema = z.looseObject({
  trackResponse: z.looseObject({
    shipment: z.array(z.looseObject({ package: z.array(trackPackageSchema).nullish() })).nullish(),
  }),
});

/** The Track Alert push (TrackingEventRequest). */
export const trackAlertEventSchema = z.looseObject({
  trackingNumber: z.string().transform((value) => value.trim()).pipe(z.string().min(1)),
  localActivityDate: text,
  localActivityTime: text,
  gmtActivityDate: text,
  gmtActivityTime: text,
  gmtOffset: text,
  activityLocation: addressSchema,
  activityStatus: statusSchema,
  scheduledDeliveryDate: text,
  actualDeliveryDate: text,
  actualDeliveryTime: text,
  deliveryStartTime: text,
  deliveryEndTime: text,
  deliveryTimeDescription: text,
});
export type TrackAlertEvent = z.infer<typeof trackAlertEventSchema>;
