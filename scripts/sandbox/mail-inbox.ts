import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ReceivedEmail } from "./smtp";

/**
 * A small web inbox over the sandbox's SMTP server (scripts/sandbox/smtp.ts): the list of accepted
 * messages, newest first, and each one's HTML (in a sandboxed frame: no scripts, no requests to
 * the inbox) and plain-text parts. Everything shown is escaped; the e-mail's own HTML is served
 * alone with a Content-Security-Policy that forbids scripts.
 */

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f6f6f7;color:#202223}header{background:#1a1a1a;color:#fff;padding:12px 20px}main{max-width:960px;margin:0 auto;padding:16px}
table{width:100%;border-collapse:collapse;background:#fff}td,th{padding:8px 10px;border-bottom:1px solid #e1e3e5;text-align:left;font-size:14px}a{color:#005bd3}
iframe{width:100%;height:70vh;border:1px solid #e1e3e5;background:#fff}pre{white-space:pre-wrap;background:#fff;padding:12px;border:1px solid #e1e3e5}dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}</style></head>
<body><header><strong>Sandbox inbox</strong> · every e-mail the app sent, caught by the local SMTP server</header><main>${body}</main></body></html>`;
}

export interface MailInbox {
  url: string;
  close(): Promise<void>;
}

export async function startMailInbox(messages: readonly ReceivedEmail[], options: { port?: number } = {}): Promise<MailInbox> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://inbox.invalid");
    const html = (status: number, body: string) => response.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(body);
    if (request.method !== "GET") return void response.writeHead(405).end();
    if (url.pathname === "/") {
      const rows = messages
        .map((message, index) => ({ message, index }))
        .reverse()
        .map(({ message, index }) => `<tr><td>${escapeHtml(new Date(message.acceptedAtMs).toISOString().slice(11, 19))}</td><td>${escapeHtml(message.envelopeTo.join(", "))}</td><td><a href="/messages/${index}">${escapeHtml(message.parsed.subject ?? "(no subject)")}</a></td></tr>`)
        .join("");
      return void html(200, page("Sandbox inbox", `<p>${messages.length} message(s). Reload to see new ones.</p><table><thead><tr><th>Time (UTC)</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`));
    }
    const match = /^\/messages\/(\d+)(\/html)?$/.exec(url.pathname);
    const message = match ? messages[Number(match[1])] : undefined;
    if (!match || !message) return void html(404, page("Not found", "<p>No such message. <a href=\"/\">Back to the inbox</a></p>"));
    if (match[2]) {
      const body = typeof message.parsed.html === "string" ? message.parsed.html : "<p>(no HTML part)</p>";
      return void response
        .writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; sandbox" })
        .end(body);
    }
    const headers = ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "List-Unsubscribe"]
      .map((name) => [name, message.header(name)] as const)
      .filter(([, value]) => value !== null)
      .map(([name, value]) => `<dt>${name}</dt><dd>${escapeHtml(value!)}</dd>`)
      .join("");
    return void html(
      200,
      page(
        message.parsed.subject ?? "Message",
        `<p><a href="/">← Inbox</a></p><dl>${headers}</dl><h2>HTML</h2><iframe sandbox title="HTML part" src="/messages/${match[1]}/html"></iframe><h2>Text</h2><pre>${escapeHtml(message.parsed.text ?? "(no text part)")}</pre>`,
      ),
    );
  });
  await new Promise<void>((ready) => server.listen(options.port ?? 0, "127.0.0.1", ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}
