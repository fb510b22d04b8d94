/**
 * UPS's error envelope and the messages of the documented codes. Every API answers errors as
 * `{"response":{"errors":[{"code","message"}]}}` (Track Alert adds `invalidTrackingNumbers` on 400).
 * Messages are the vendor table's wording, so clients that log them see what production would send.
 */

export interface UpsErrorBody {
  response: { errors: Array<{ code: string; message: string }> };
  invalidTrackingNumbers?: string[];
}

export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  // Common to all APIs (Track Alert error table).
  UJ0001: "Invalid token or token is not present",
  "10004": "Something went wrong while processing your request, please try again later",
  "10007": "Requested Content Type is not supported",
  "250002": "Invalid authentication information.",
  "251004": "Bearer Token expired",
  // The only code the token endpoint's docs show (C.1); see oauth.ts for why it stands for all bad credentials.
  "250003": "Invalid Access License number",
  // The gateway's documented 404/405 bodies use the HTTP status as the code; 429 follows the same pattern.
  "404": "The requested resource was not found.",
  "405": "The requested method is not allowed for this resource.",
  "429": "Quota Limit Exceeded",
  // Track API (C.2, [3P] codes).
  "151018": "Invalid tracking number",
  "151044": "No tracking information available",
  // Track Alert v1.
  VSS000: "Invalid request and The Subscription request has been rejected.",
  VSS002: "Missing transId",
  VSS003: "Please enter a valid Transaction ID, The Subscription request has been rejected.",
  VSS004: "Missing transactionSrc",
  VSS006: "Please enter a valid Transaction SRC, The Subscription request has been rejected.",
  VSS100: "We're sorry, the system is temporarily unavailable.  Please try again later.",
  VSS110: "Subscription request is empty or not present. The Subscription request has been rejected.",
  VSS200: "Tracking Number List is required. The Subscription request has been rejected.",
  VSS210: "The Subscription request should have at least one valid tracking number. The Subscription request has been rejected.",
  VSS215: "The tracking number that was submitted is not a valid CIE tracking number and has been rejected.",
  VSS220:
    "You have submitted over 100 tracking numbers which is not allowed. The entire submission of tracking numbers has been rejected.  Please resubmit your request again using groups of no more than 100 tracking numbers.",
  VSS300: "Locale is required. The Subscription request has been rejected.",
  VSS310: "Please enter a valid locale. The Subscription request has been rejected",
  VSS400: "Please enter a valid country code. The Subscription request has been rejected.",
  VSS500: "Destination is required. The Subscription request has been rejected",
  VSS600: "URL is empty or not present. The Subscription request has been rejected.",
  VSS610: "URL is too long. The Subscription request has been rejected.",
  VSS700: "Credential is empty or not present. The Subscription request has been rejected.",
  VSS800: "CredentialType is empty or not present. The Subscription request has been rejected.",
  VSS930: "Type is missing or invalid, The Subscription request has been rejected.",
};

/** What every handler returns; the server owns sending, logging and faults. */
export interface ApiResult {
  httpStatus: number;
  body: unknown;
  /** Client the request was attributed to (Basic user or bearer token owner); null when unknown. */
  clientId: string | null;
  /** `response.errors[0].code` of an error answer. */
  errorCode: string | null;
  /** Runs once the answer is on the wire (Track Alert starts CIE event runs here). */
  afterResponse?: () => void;
}

export function upsError(
  httpStatus: number,
  code: string,
  clientId: string | null,
  options: { message?: string; invalidTrackingNumbers?: string[] } = {},
): ApiResult {
  const body: UpsErrorBody = { response: { errors: [{ code, message: options.message ?? ERROR_MESSAGES[code] ?? "Error" }] } };
  if (options.invalidTrackingNumbers) body.invalidTrackingNumbers = options.invalidTrackingNumbers;
  return { httpStatus, body, clientId, errorCode: code };
}
