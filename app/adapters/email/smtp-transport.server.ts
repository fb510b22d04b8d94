import nodemailer, { type Transporter } from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import { AuthenticationError, InvalidRequestError, ServiceUnavailableError, type ExternalServiceError } from "~/domain/errors";

/**
 * The SMTP adapter: one pooled nodemailer transport per server address and process, and the one
 * place that says what an SMTP failure means. Temporary answers (4xx) and connection problems are
 * retryable; permanent answers (5xx) are not, and a refused login is an authentication error.
 * Credentials live in the URL from the environment and never appear in an error or a log line.
 */

export interface OutgoingEmail {
  from: { name: string; address: string };
  to: string;
  replyTo?: string | null;
  subject: string;
  html: string;
  text: string;
  /** RFC 5322 Message-ID with its angle brackets, fixed before the first attempt. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface SentEmail {
  /** The server's final answer ("250 OK: queued as …"). */
  response: string;
}

export interface MailTransport {
  send(email: OutgoingEmail): Promise<SentEmail>;
}

export interface SmtpTransportOptions {
  smtpUrl: string;
  poolSize: number;
}

const transports = new Map<string, Transporter<SMTPPool.SentMessageInfo>>();

function pooledTransport({ smtpUrl, poolSize }: SmtpTransportOptions): Transporter<SMTPPool.SentMessageInfo> {
  const key = `${poolSize}|${smtpUrl}`;
  let transport = transports.get(key);
  if (!transport) {
    const url = new URL(smtpUrl);
    transport = nodemailer.createTransport({
      pool: true,
      maxConnections: poolSize,
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 587,
      secure: url.protocol === "smtps:",
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      // A send must finish well inside the job lease (ADR 16): bounded waits at every step.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // Loopback test servers and relays without certificates: STARTTLS is used when offered.
      tls: { rejectUnauthorized: url.hostname !== "127.0.0.1" && url.hostname !== "localhost" },
      logger: false,
    });
    transports.set(key, transport);
  }
  return transport;
}

export function smtpTransport(options: SmtpTransportOptions): MailTransport {
  const transport = pooledTransport(options);
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: { name: email.from.name, address: email.from.address },
          to: email.to,
          replyTo: email.replyTo ?? undefined,
          subject: email.subject,
          html: email.html,
          text: email.text,
          messageId: email.messageId,
          headers: email.headers,
        });
        return { response: String(info.response ?? "") };
      } catch (error) {
        throw smtpError(error);
      }
    },
  };
}

/** The pooled transport the environment configures, or null when no SMTP server is set (nothing is sent). */
export function configuredMailTransport(settings: { smtpUrl: string | null; poolSize: number }): MailTransport | null {
  return settings.smtpUrl ? smtpTransport({ smtpUrl: settings.smtpUrl, poolSize: settings.poolSize }) : null;
}

/** Close every pooled connection of this process (worker shutdown, end of a test file). */
export function closeSmtpTransports(): void {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** What an SMTP failure means for a retry, without the credentials nodemailer may quote. */
export function smtpError(error: unknown): ExternalServiceError {
  const details = (typeof error === "object" && error !== null ? error : {}) as NodemailerError;
  const responseCode = typeof details.responseCode === "number" ? details.responseCode : undefined;
  const reply = details.response ? details.response.replace(/\s+/g, " ").slice(0, 300) : undefined;
  const message = responseCode
    ? `SMTP server answered ${reply ?? responseCode}${details.command ? ` to ${details.command.split(" ")[0]}` : ""}`
    : `SMTP connection failed (${details.code ?? "unknown"})`;
  const options = { service: "smtp" as const, status: responseCode, code: details.code };
  if (details.code === "EAUTH" && (!responseCode || responseCode >= 500)) return new AuthenticationError(message, options);
  if (responseCode && responseCode >= 500) return new InvalidRequestError(message, options);
  return new ServiceUnavailableError(message, options);
}
