/** The loopback SMTP server lives in scripts/sandbox/smtp.ts, shared with the demo's mail catcher. */
export { startSmtpServer } from "../../scripts/sandbox/smtp";
export type { ReceivedEmail, TestSmtpServer } from "../../scripts/sandbox/smtp";
