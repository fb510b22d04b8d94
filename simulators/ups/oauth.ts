import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type ApiResult, upsError } from "./errors";

/**
 * OAuth 2.0 client credentials (`POST /security/v1/oauth/token`) and bearer-token checks for the APIs.
 *
 * Credential failures all answer 401 `250003` "Invalid Access License number": it is the only error
 * code the token endpoint's documentation shows, and the closest in meaning (the access license was
 * the pre-OAuth credential). Third-party code suggests production may say "ClientId is Invalid"
 * instead; clients must key on the HTTP status, not the text.
 * Token lifetime runs on the simulator clock (`now`), so advancing it expires tokens as real time would.
 */

export interface ClientRecord {
  clientId: string;
  clientSecret: string;
  revoked: boolean;
  tokensIssued: number;
}

interface TokenRecord {
  clientId: string;
  expiresAtMs: number;
}

export type BearerCheck = { ok: true; clientId: string } | { ok: false; result: ApiResult };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

/** Opaque to clients; shaped like UPS's (a JWT-looking `eyJ…` string) so length/charset assumptions get exercised. */
function newAccessToken(clientId: string, issuedAtMs: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return [part({ kid: "sim", typ: "JWT", alg: "RS256" }), part({ sub: clientId, iat: Math.floor(issuedAtMs / 1000), jti: randomBytes(8).toString("hex") }), randomBytes(48).toString("base64url")].join(".");
}

export class OAuthServer {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(
    private readonly now: () => Date,
    private readonly lifetimeSeconds: number,
  ) {}

  addClient(clientId: string, clientSecret: string): void {
    if (typeof clientId !== "string" || clientId === "" || clientId.includes(":")) throw new Error("clientId must be a non-empty string without ':'");
    if (typeof clientSecret !== "string" || clientSecret === "") throw new Error("clientSecret must be a non-empty string");
    const existing = this.clients.get(clientId);
    this.clients.set(clientId, { clientId, clientSecret, revoked: false, tokensIssued: existing?.tokensIssued ?? 0 });
  }

  revokeClient(clientId: string): void {
    const client = this.requireClient(clientId);
    client.revoked = true;
    for (const [token, record] of this.tokens) if (record.clientId === clientId) this.tokens.delete(token);
  }

  expireTokens(clientId?: string): void {
    if (clientId !== undefined) this.requireClient(clientId);
    const past = this.now().getTime() - 1;
    for (const record of this.tokens.values()) if (clientId === undefined || record.clientId === clientId) record.expiresAtMs = past;
  }

  tokensIssued(clientId: string): number {
    return this.requireClient(clientId).tokensIssued;
  }

  listClients(): ReadonlyArray<Readonly<Omit<ClientRecord, "clientSecret">>> {
    return [...this.clients.values()].map(({ clientId, revoked, tokensIssued }) => ({ clientId, revoked, tokensIssued }));
  }

  /** Best-effort attribution for the call log (also for requests that fail or hit a fault). */
  identify(headers: IncomingHttpHeaders): string | null {
    const auth = header(headers, "authorization") ?? "";
    const basic = /^Basic\s+(\S+)$/i.exec(auth);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
      const user = decoded.slice(0, Math.max(0, decoded.indexOf(":")));
      return this.clients.has(user) ? user : null;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
    return bearer ? (this.tokens.get(bearer[1]!)?.clientId ?? null) : null;
  }

  /** Basic-auth check shared by the token endpoint and the rate limiter's attribution. */
  private basicClient(headers: IncomingHttpHeaders): ClientRecord | null {
    const m = /^Basic\s+([A-Za-z0-9+/=_-]+)$/i.exec(header(headers, "authorization") ?? "");
    if (!m) return null;
    const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) return null;
    const client = this.clients.get(decoded.slice(0, colon));
    if (!client || client.revoked || client.clientSecret !== decoded.slice(colon + 1)) return null;
    return client;
  }

  /**
   * Order: credentials (401), then content type (400 `10007`, the documented code for it), then
   * `grant_type` (400; no code is documented for it, `10400` is ours). `admit` is the rate limiter,
   * consulted only for authenticated requests since the limit is per client id.
   */
  handleToken(headers: IncomingHttpHeaders, body: Buffer, admit: (clientId: string) => boolean): ApiResult {
    const client = this.basicClient(headers);
    if (!client) return upsError(401, "250003", this.identify(headers));
    const contentType = (header(headers, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (contentType !== "application/x-www-form-urlencoded") return upsError(400, "10007", client.clientId);
    const grantType = new URLSearchParams(body.toString("utf8")).get("grant_type");
    if (grantType !== "client_credentials") {
      return upsError(400, "10400", client.clientId, { message: "Invalid/Unsupported grant_type. Expected grant_type=client_credentials" });
    }
    if (!admit(client.clientId)) return upsError(429, "429", client.clientId);
    const issuedAtMs = this.now().getTime();
    const accessToken = newAccessToken(client.clientId, issuedAtMs);
    this.tokens.set(accessToken, { clientId: client.clientId, expiresAtMs: issuedAtMs + this.lifetimeSeconds * 1000 });
    client.tokensIssued += 1;
    return {
      httpStatus: 200,
      clientId: client.clientId,
      errorCode: null,
      // Every field is a string, `expires_in` included.
      body: {
        token_type: "Bearer",
        issued_at: String(issuedAtMs),
        client_id: client.clientId,
        access_token: accessToken,
        scope: "",
        expires_in: String(this.lifetimeSeconds),
        refresh_count: "0",
        status: "approved",
      },
    };
  }

  /** Missing or non-bearer header → UJ0001; unknown or revoked token → 250002; expired → 251004. */
  checkBearer(headers: IncomingHttpHeaders): BearerCheck {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, "authorization") ?? "");
    if (!m) return { ok: false, result: upsError(401, "UJ0001", null) };
    const record = this.tokens.get(m[1]!);
    if (!record) return { ok: false, result: upsError(401, "250002", null) };
    if (this.clients.get(record.clientId)?.revoked !== false) return { ok: false, result: upsError(401, "250002", record.clientId) };
    if (this.now().getTime() >= record.expiresAtMs) return { ok: false, result: upsError(401, "251004", record.clientId) };
    return { ok: true, clientId: record.clientId };
  }

  private requireClient(clientId: string): ClientRecord {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`unknown client ${JSON.stringify(clientId)}`);
    return client;
  }
}
