import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server on loopback (`smtp-server`) that records every message it accepts, parsed by
 * `mailparser`, so tests check what a mail client would see: envelope, headers, both parts.
 * A message is recorded only when the server answers 250 to it, as a real server accepts it.
 *
 *   const smtp = await startSmtpServer();
 *   services = createTestServices(db, { settings: { email: smtp.emailSettings() } });
 *   smtp.failNext(451);          // the next message gets "451 try again later"
 *   smtp.holdAcceptance();       // messages wait (unanswered) until smtp.releaseAcceptance()
 *   await smtp.waitForMessages(1);
 */

export interface ReceivedEmail {
  envelopeFrom: string | null;
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
  messageId: string | null;
  /** Date.now() when the server accepted it (benchmarks: webhook acknowledged → e-mail accepted). */
  acceptedAtMs: number;
  header(name: string): string | null;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  /** Accepted messages, in order. */
  messages: ReceivedEmail[];
  /** Messages the server received (DATA ended) but refused or never answered. */
  refusedCount(): number;
  /** The next `times` messages are answered with `code` (451: temporary; 550: permanent). */
  failNext(code: number, times?: number): void;
  /** Stop answering messages until released: the sender waits mid-send (crash tests). */
  holdAcceptance(): void;
  releaseAcceptance(): void;
  /** Forget the waiting messages without answering: as if the connection died before the server took them. */
  dropHeld(): void;
  /** How many messages are waiting for an answer. */
  heldCount(): number;
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  /** Settings for `createTestServices(db, { settings: { email } })`. */
  emailSettings(overrides?: { fromAddress?: string; sendingLeaseMs?: number; poolSize?: number }): {
    smtpUrl: string;
    fromAddress: string;
    poolSize: number;
    sendingLeaseMs: number;
  };
  /** Environment for started worker processes. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

function smtpFailure(code: number): Error {
  const error = new Error(code >= 500 ? "Mailbox unavailable" : "Try again later") as Error & { responseCode: number };
  error.responseCode = code;
  return error;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedEmail[] = [];
  const failures: number[] = [];
  let refused = 0;
  let holding = false;
  const held: Array<() => void> = [];

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: "test" });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const answer = async () => {
          const failure = failures.shift();
          if (failure !== undefined) {
            refused++;
            callback(smtpFailure(failure));
            return;
          }
          const acceptedAtMs = Date.now();
          const raw = Buffer.concat(chunks).toString("utf8");
          const parsed = await simpleParser(raw);
          messages.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            envelopeTo: session.envelope.rcptTo.map((address) => address.address),
            raw,
            parsed,
            messageId: parsed.messageId ?? null,
            acceptedAtMs,
            // The header as sent (unfolded): mailparser turns some headers (List-*) into structures.
            header(name) {
              const line = parsed.headerLines.find((header) => header.key === name.toLowerCase())?.line;
              return line === undefined ? null : line.slice(line.indexOf(":") + 1).replace(/\r?\n[ \t]+/g, " ").trim();
            },
          });
          callback(null, "Message accepted");
        };
        if (holding) {
          held.push(() => void answer());
        } else {
          void answer();
        }
      });
    },
  });
  // A client killed mid-message resets the connection; that is expected here, not a test failure.
  server.on("error", () => {});

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  const url = `smtp://127.0.0.1:${port}`;

  return {
    url,
    port,
    messages,
    refusedCount: () => refused,
    failNext(code, times = 1) {
      for (let i = 0; i < times; i++) failures.push(code);
    },
    holdAcceptance() {
      holding = true;
    },
    releaseAcceptance() {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    heldCount: () => held.length,
    dropHeld() {
      held.splice(0);
    },
    async waitForMessages(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} e-mails, the SMTP server accepted ${messages.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return messages.slice(0, count);
    },
    emailSettings(overrides = {}) {
      return {
        smtpUrl: url,
        fromAddress: overrides.fromAddress ?? "tracking@tracklight.test",
        poolSize: overrides.poolSize ?? 2,
        sendingLeaseMs: overrides.sendingLeaseMs ?? 60_000,
      };
    },
    env() {
      return { SMTP_URL: url, MAIL_FROM: "tracking@tracklight.test" };
    },
    stop() {
      holding = false;
      held.splice(0);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
