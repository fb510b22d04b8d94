import { pino, type Logger } from "pino";

export type { Logger };

// Paths that could carry secrets or personal data if someone logs a whole object by mistake.
const REDACT = [
  "apiKey",
  "*.apiKey",
  "webhookSecret",
  "*.webhookSecret",
  "accountEmail",
  "*.accountEmail",
  "accessToken",
  "*.accessToken",
  "credentials",
  "*.credentials",
  "headers.authorization",
  "headers.cookie",
  'headers["x-shopify-access-token"]',
  'headers["tracking-api-key"]',
  'headers["trackingmore-api-key"]',
  "email",
  "*.email",
  "phone",
  "*.phone",
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: undefined });
}

let rootLogger: Logger | undefined;

export function logger(): Logger {
  rootLogger ??= createLogger();
  return rootLogger;
}
