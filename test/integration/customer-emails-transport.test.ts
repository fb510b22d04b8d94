import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSmtpTransports, smtpTransport, type OutgoingEmail } from "~/adapters/email/smtp-transport.server";
import { InvalidRequestError, ServiceUnavailableError } from "~/domain/errors";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

/** The SMTP adapter against a real SMTP server on loopback: what arrives, and what each failure means. */

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});

afterAll(async () => {
  closeSmtpTransports();
  await smtp.stop();
});

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    from: { name: "Sample Shop", address: "tracking@tracklight.test" },
    to: "ada@example.com",
    replyTo: "help@shop.example",
    subject: "Your order #1001 is out for delivery",
    html: "<p>Out for <b>delivery</b></p>",
    text: "Out for delivery",
    messageId: `<${Math.random().toString(36).slice(2)}@tracklight.test>`,
    headers: { "List-Unsubscribe": "<https://tracklight.test/email/unsubscribe/x>" },
    ...overrides,
  };
}

describe("SMTP transport", () => {
  it("delivers both parts with our Message-ID, sender name, reply-to and extra headers", async () => {
    const message = email();
    const sent = await smtpTransport({ smtpUrl: smtp.url, poolSize: 2 }).send(message);
    expect(sent.response).toMatch(/^250/);
    const [received] = await smtp.waitForMessages(1);
    expect(received!.envelopeFrom).toBe("tracking@tracklight.test");
    expect(received!.envelopeTo).toEqual(["ada@example.com"]);
    expect(received!.messageId).toBe(message.messageId);
    expect(received!.parsed.from?.value).toEqual([{ name: "Sample Shop", address: "tracking@tracklight.test" }]);
    expect(received!.parsed.replyTo?.text).toBe("help@shop.example");
    expect(received!.parsed.text?.trim()).toBe("Out for delivery");
    expect(received!.parsed.html).toContain("<b>delivery</b>");
    expect(received!.header("list-unsubscribe")).toContain("https://tracklight.test/email/unsubscribe/x");
  });

  it("a 4xx answer is a retryable error, a 5xx answer a permanent one", async () => {
    const transport = smtpTransport({ smtpUrl: smtp.url, poolSize: 2 });
    smtp.failNext(451);
    const temporary = await transport.send(email()).catch((error: unknown) => error);
    expect(temporary).toBeInstanceOf(ServiceUnavailableError);
    expect((temporary as ServiceUnavailableError).retryable).toBe(true);
    expect((temporary as ServiceUnavailableError).status).toBe(451);

    smtp.failNext(550);
    const permanent = await transport.send(email()).catch((error: unknown) => error);
    expect(permanent).toBeInstanceOf(InvalidRequestError);
    expect((permanent as InvalidRequestError).retryable).toBe(false);
    expect((permanent as InvalidRequestError).status).toBe(550);
  });

  it("a server that is not there is a retryable error, and the password never appears in it", async () => {
    const unreachable = smtpTransport({ smtpUrl: "smtp://mailer:s3cret-pass@127.0.0.1:9", poolSize: 1 });
    const error = await unreachable.send(email()).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(String((error as Error).message)).not.toContain("s3cret-pass");
    expect(JSON.stringify(error)).not.toContain("s3cret-pass");
  });
});
