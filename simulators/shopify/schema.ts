import { buildSchema, GraphQLError, Kind, type GraphQLScalarType, type GraphQLSchema, type ValueNode } from "graphql";

/**
 * The Admin GraphQL schema subset the simulator serves, built per API version so that what is
 * valid on one version and invalid on another (enum values above all) fails in `errors[]` the way
 * Shopify's own schema validation does, instead of being accepted by a permissive fake.
 */

/** Versions `@shopify/shopify-api` 15 knows (its `ApiVersion` enum), oldest first. */
export const SUPPORTED_API_VERSIONS = [
  "2024-10",
  "2025-01",
  "2025-04",
  "2025-07",
  "2025-10",
  "2026-01",
  "2026-04",
  "2026-07",
  "2026-10",
  "unstable",
] as const;

export const LATEST_STABLE_API_VERSION = "2026-10";

/** `unstable` sorts after every dated version, so comparisons treat it as the newest. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const key = (v: string) => (v === "unstable" ? "9999-99" : v);
  return key(version) >= key(minimum);
}

/** Reference E.2: the enum grows with the version; a value from a newer version is a validation error on an older one. */
export function fulfillmentEventStatuses(version: string): string[] {
  const values = [
    "ATTEMPTED_DELIVERY",
    "CONFIRMED",
    "DELIVERED",
    "FAILURE",
    "IN_TRANSIT",
    "LABEL_PRINTED",
    "LABEL_PURCHASED",
    "OUT_FOR_DELIVERY",
    "READY_FOR_PICKUP",
  ];
  if (versionAtLeast(version, "2025-07")) values.push("DELAYED");
  if (versionAtLeast(version, "2025-10")) values.push("CARRIER_PICKED_UP");
  if (version === "unstable") values.push("PICKED_UP");
  return values.sort();
}

/**
 * Display statuses mirror event statuses (the latest event drives the display status), so the
 * version-dependent additions are assumed to arrive in the same versions. [U]
 */
export function fulfillmentDisplayStatuses(version: string): string[] {
  const values = [
    "ATTEMPTED_DELIVERY",
    "CANCELED",
    "CONFIRMED",
    "DELIVERED",
    "FAILURE",
    "FULFILLED",
    "IN_TRANSIT",
    "LABEL_PRINTED",
    "LABEL_PURCHASED",
    "LABEL_VOIDED",
    "MARKED_AS_FULFILLED",
    "NOT_DELIVERED",
    "OUT_FOR_DELIVERY",
    "PICKED_UP",
    "READY_FOR_PICKUP",
    "SUBMITTED",
  ];
  if (versionAtLeast(version, "2025-07")) values.push("DELAYED");
  if (versionAtLeast(version, "2025-10")) values.push("CARRIER_PICKED_UP");
  return values.sort();
}

/** `bulkOperation(id:)`, `bulkOperations` and the `groupObjects: false` default arrived with 2026-01. */
export function hasBulkOperationQueries(version: string): boolean {
  return versionAtLeast(version, "2026-01");
}

// ISO 3166-1 alpha-2 plus Shopify's extras (AC, AN, TA, XK, ZZ), as in the Admin API CountryCode enum.
const COUNTRY_CODES =
  "AC AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW ZZ";
export const COUNTRY_CODE_SET: ReadonlySet<string> = new Set(COUNTRY_CODES.split(" "));

const CURRENCY_CODES =
  "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JEP JMD JOD JPY KES KGS KHR KID KMF KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LVL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLL SOS SRD SSP STD STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USDC UYU UZS VED VES VND VUV WST XAF XCD XOF XPF XXX YER ZAR ZMW";
export const CURRENCY_CODE_SET: ReadonlySet<string> = new Set(CURRENCY_CODES.split(" "));

/** `groupObjects` appeared in 2025-07 (default true) and defaults to false from 2026-01. */
function groupObjectsArg(version: string): string {
  if (!versionAtLeast(version, "2025-07")) return "";
  return `, groupObjects: Boolean! = ${hasBulkOperationQueries(version) ? "false" : "true"}`;
}

const CONNECTION_ARGS = "first: Int, after: String, last: Int, before: String, reverse: Boolean = false";

function connection(node: string): string {
  return `
type ${node}Connection { edges: [${node}Edge!]! nodes: [${node}!]! pageInfo: PageInfo! }
type ${node}Edge { cursor: String! node: ${node}! }`;
}

export function adminSdl(version: string): string {
  const bulkQueries = hasBulkOperationQueries(version);
  return `
schema { query: QueryRoot mutation: Mutation }

scalar DateTime
scalar URL
scalar UnsignedInt64
scalar Decimal

interface Node { id: ID! }
interface LegacyInteroperability { legacyResourceId: UnsignedInt64! }

type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }

type QueryRoot {
  shop: Shop!
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  order(id: ID!): Order
  orders(${CONNECTION_ARGS}, query: String, sortKey: OrderSortKeys = ID, savedSearchId: ID): OrderConnection!
  fulfillment(id: ID!): Fulfillment
  customer(id: ID!): Customer
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
  ${bulkQueries ? "bulkOperation(id: ID!): BulkOperation" : ""}
  ${bulkQueries ? `bulkOperations(${CONNECTION_ARGS}, query: String, sortKey: BulkOperationsSortKeys = CREATED_AT): BulkOperationConnection!` : ""}
}

type Mutation {
  bulkOperationRunQuery(query: String!${groupObjectsArg(version)}): BulkOperationRunQueryPayload
  bulkOperationCancel(id: ID!): BulkOperationCancelPayload
  fulfillmentEventCreate(fulfillmentEvent: FulfillmentEventInput!): FulfillmentEventCreatePayload
}

type Shop implements Node {
  id: ID!
  name: String!
  email: String!
  contactEmail: String!
  myshopifyDomain: String!
  url: URL!
  ianaTimezone: String!
  timezoneAbbreviation: String!
  timezoneOffset: String!
  timezoneOffsetMinutes: Int!
  currencyCode: CurrencyCode!
}

type Order implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  email: String
  phone: String
  note: String
  tags: [String!]!
  test: Boolean!
  closed: Boolean!
  closedAt: DateTime
  cancelledAt: DateTime
  cancelReason: OrderCancelReason
  confirmed: Boolean!
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  currencyCode: CurrencyCode!
  customerLocale: String
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  fulfillable: Boolean!
  customer: Customer
  shippingAddress: MailingAddress
  billingAddress: MailingAddress
  lineItems(${CONNECTION_ARGS}): LineItemConnection!
  fulfillments(first: Int): [Fulfillment!]!
}

type Customer implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  firstName: String
  lastName: String
  displayName: String!
  email: String
  phone: String
  locale: String!
  defaultEmailAddress: CustomerEmailAddress
  defaultPhoneNumber: CustomerPhoneNumber
  createdAt: DateTime!
  updatedAt: DateTime
}

type CustomerEmailAddress { emailAddress: String }
type CustomerPhoneNumber { phoneNumber: String! }

type MailingAddress implements Node {
  id: ID!
  firstName: String
  lastName: String
  name: String
  company: String
  address1: String
  address2: String
  city: String
  province: String
  provinceCode: String
  zip: String
  country: String
  countryCodeV2: CountryCode
  phone: String
  latitude: Float
  longitude: Float
}

type LineItem implements Node {
  id: ID!
  title: String!
  name: String!
  quantity: Int!
  currentQuantity: Int!
  unfulfilledQuantity: Int!
  sku: String
  variantTitle: String
  vendor: String
  requiresShipping: Boolean!
  image: Image
  variant: ProductVariant
  product: Product
}

type Image {
  id: ID
  url(transform: ImageTransformInput): URL!
  altText: String
  width: Int
  height: Int
}

input ImageTransformInput { crop: CropRegion maxWidth: Int maxHeight: Int scale: Int = 1 preferredContentType: ImageContentType }
enum CropRegion { BOTTOM CENTER LEFT REGION RIGHT TOP }
enum ImageContentType { JPG PNG WEBP }

type ProductVariant implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  title: String!
  displayName: String!
  sku: String
  product: Product!
}

type Product implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  title: String!
  handle: String!
  vendor: String!
}

type Fulfillment implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  status: FulfillmentStatus!
  displayStatus: FulfillmentDisplayStatus
  createdAt: DateTime!
  updatedAt: DateTime!
  deliveredAt: DateTime
  inTransitAt: DateTime
  estimatedDeliveryAt: DateTime
  requiresShipping: Boolean!
  totalQuantity: Int!
  order: Order!
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
  fulfillmentLineItems(${CONNECTION_ARGS}): FulfillmentLineItemConnection!
  events(${CONNECTION_ARGS}, sortKey: FulfillmentEventSortKeys = ID): FulfillmentEventConnection!
}

type FulfillmentTrackingInfo { company: String number: String url: URL }

type FulfillmentLineItem implements Node {
  id: ID!
  quantity: Int
  lineItem: LineItem!
}

type FulfillmentEvent implements Node {
  id: ID!
  status: FulfillmentEventStatus!
  message: String
  happenedAt: DateTime!
  createdAt: DateTime!
  estimatedDeliveryAt: DateTime
  address1: String
  city: String
  province: String
  country: String
  zip: String
  latitude: Float
  longitude: Float
}

input FulfillmentEventInput {
  fulfillmentId: ID!
  status: FulfillmentEventStatus!
  happenedAt: DateTime
  estimatedDeliveryAt: DateTime
  message: String
  address1: String
  city: String
  province: String
  country: String
  zip: String
  latitude: Float
  longitude: Float
}

type FulfillmentEventCreatePayload { fulfillmentEvent: FulfillmentEvent userErrors: [UserError!]! }

type UserError { field: [String!] message: String! }

type BulkOperation implements Node {
  id: ID!
  status: BulkOperationStatus!
  errorCode: BulkOperationErrorCode
  type: BulkOperationType!
  query: String!
  objectCount: UnsignedInt64!
  rootObjectCount: UnsignedInt64!
  fileSize: UnsignedInt64
  url: URL
  partialDataUrl: URL
  createdAt: DateTime!
  completedAt: DateTime
}

type BulkOperationRunQueryPayload { bulkOperation: BulkOperation userErrors: [BulkOperationUserError!]! }
type BulkOperationCancelPayload { bulkOperation: BulkOperation userErrors: [UserError!]! }
type BulkOperationUserError { field: [String!] message: String! code: BulkOperationUserErrorCode }

enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }
enum BulkOperationType { MUTATION QUERY }
enum BulkOperationUserErrorCode { INVALID LIMIT_REACHED OPERATION_IN_PROGRESS }
enum BulkOperationsSortKeys { COMPLETED_AT CREATED_AT ID }

enum OrderSortKeys { CREATED_AT CURRENT_TOTAL_PRICE CUSTOMER_NAME DESTINATION FINANCIAL_STATUS FULFILLMENT_STATUS ID ORDER_NUMBER PO_NUMBER PROCESSED_AT RELEVANCE TOTAL_ITEMS_QUANTITY TOTAL_PRICE UPDATED_AT }
enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }
enum OrderDisplayFinancialStatus { AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED }
enum OrderDisplayFulfillmentStatus { FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT REQUEST_DECLINED RESTOCKED SCHEDULED UNFULFILLED }
enum FulfillmentStatus { CANCELLED ERROR FAILURE OPEN PENDING SUCCESS }
enum FulfillmentEventSortKeys { HAPPENED_AT ID }
enum FulfillmentEventStatus { ${fulfillmentEventStatuses(version).join(" ")} }
enum FulfillmentDisplayStatus { ${fulfillmentDisplayStatuses(version).join(" ")} }
enum CountryCode { ${COUNTRY_CODES} }
enum CurrencyCode { ${CURRENCY_CODES} }

${connection("Order")}
${connection("LineItem")}
${connection("FulfillmentLineItem")}
${connection("FulfillmentEvent")}
${bulkQueries ? connection("BulkOperation") : ""}
`;
}

/** Shopify serialises DateTime in UTC to the second: `2024-03-07T15:50:00Z`. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// ISO 8601 with a mandatory date; a time without an offset is read as UTC, as Ruby's Time.iso8601-ish parsing does for Shopify inputs.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseDateTimeInput(value: unknown): Date {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value.trim())) {
    throw new GraphQLError(`Invalid value for DateTime: ${JSON.stringify(value)}. Expected an ISO 8601 date-time string.`);
  }
  let text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += "T00:00:00Z";
  else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) text += "Z";
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`Invalid value for DateTime: ${JSON.stringify(value)}. Expected an ISO 8601 date-time string.`);
  }
  return date;
}

type ScalarConfig = Pick<GraphQLScalarType, "serialize" | "parseValue" | "parseLiteral">;

function literalToString(ast: ValueNode): unknown {
  if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return ast.value;
  throw new GraphQLError(`Expected a string literal, found ${ast.kind}.`);
}

const SCALARS: Record<string, ScalarConfig> = {
  DateTime: {
    serialize: (value: unknown) => (value instanceof Date ? formatDateTime(value) : value),
    parseValue: (value: unknown) => parseDateTimeInput(value),
    parseLiteral: (ast: ValueNode) => parseDateTimeInput(literalToString(ast)),
  },
  UnsignedInt64: {
    serialize: (value: unknown) => String(value),
    parseValue: (value: unknown) => {
      if ((typeof value === "string" && /^\d+$/.test(value)) || (typeof value === "number" && Number.isSafeInteger(value) && value >= 0)) {
        return String(value);
      }
      throw new GraphQLError(`Invalid value for UnsignedInt64: ${JSON.stringify(value)}.`);
    },
    parseLiteral: (ast: ValueNode) => {
      const text = literalToString(ast);
      if (typeof text === "string" && /^\d+$/.test(text)) return text;
      throw new GraphQLError(`Invalid value for UnsignedInt64: ${JSON.stringify(text)}.`);
    },
  },
  URL: {
    serialize: (value: unknown) => String(value),
    parseValue: (value: unknown) => {
      if (typeof value === "string" && URL.canParse(value)) return value;
      throw new GraphQLError(`Invalid value for URL: ${JSON.stringify(value)}.`);
    },
    parseLiteral: (ast: ValueNode) => {
      const text = literalToString(ast);
      if (typeof text === "string" && URL.canParse(text)) return text;
      throw new GraphQLError(`Invalid value for URL: ${JSON.stringify(text)}.`);
    },
  },
  Decimal: {
    serialize: (value: unknown) => String(value),
    parseValue: (value: unknown) => String(value),
    parseLiteral: (ast: ValueNode) => literalToString(ast),
  },
};

const schemaCache = new Map<string, GraphQLSchema>();

export function schemaForVersion(version: string): GraphQLSchema {
  let schema = schemaCache.get(version);
  if (schema) return schema;
  schema = buildSchema(adminSdl(version));
  for (const [name, config] of Object.entries(SCALARS)) {
    // buildSchema leaves custom scalars as identity functions; Shopify's scalars validate and format.
    Object.assign(schema.getType(name) as GraphQLScalarType, config);
  }
  schemaCache.set(version, schema);
  return schema;
}
