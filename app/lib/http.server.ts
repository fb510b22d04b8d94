import { ServiceUnavailableError, type ExternalService } from "~/domain/errors";

export interface HttpRequest {
  service: ExternalService;
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  /** Serialised as JSON when not a string. */
  body?: unknown;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it was not JSON. */
  json: unknown;
}

/**
 * One HTTP exchange with a timeout. Network failures and timeouts become
 * ServiceUnavailableError (the request may or may not have reached the provider); every HTTP
 * response is returned as is, because what a status means is the adapter's business.
 */
export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: "application/json", ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    body = typeof request.body === "string" ? request.body : JSON.stringify(request.body);
    headers["content-type"] ??= "application/json";
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    throw new ServiceUnavailableError(
      timedOut ? `${request.service} did not answer within ${request.timeoutMs} ms` : `${request.service} could not be reached`,
      { service: request.service, cause: error },
    );
  }
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
