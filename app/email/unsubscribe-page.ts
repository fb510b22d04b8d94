/**
 * The small page behind an e-mail's unsubscribe link. Opening it (GET) only asks: mail scanners
 * and link previews fetch every link, so nothing may change until the customer presses the button
 * (a POST, the same request a mail client's one-click button sends). Self-contained HTML: no
 * scripts, no external resources, everything from the order escaped.
 */
import { escapeHtml } from "~/lib/escape-html";
import { customerEmailLocale, customerEmailTranslator } from "./catalogue";

export type UnsubscribePageState =
  | { kind: "confirm"; orderName: string | null; formAction: string }
  | { kind: "done"; orderName: string | null; everyOrder: boolean }
  | { kind: "not_found" };

export function renderUnsubscribePage(state: UnsubscribePageState, orderLocale: string | null): string {
  const locale = customerEmailLocale(orderLocale);
  const t = customerEmailTranslator(locale);
  const e = escapeHtml;
  const orderName = state.kind === "not_found" ? "" : (state.orderName ?? "");
  let body: string;
  switch (state.kind) {
    case "confirm":
      body = `<p>${e(t("unsubscribePage.question", { order_name: orderName }))}</p>
<form method="post" action="${e(state.formAction)}">
<p><label><input type="checkbox" name="everyOrder" value="on"> ${e(t("unsubscribePage.everyOrder"))}</label></p>
<p><button type="submit">${e(t("unsubscribePage.confirm"))}</button></p>
</form>`;
      break;
    case "done":
      body = `<p role="status">${e(state.everyOrder ? t("unsubscribePage.doneEveryOrder") : t("unsubscribePage.done", { order_name: orderName }))}</p>`;
      break;
    case "not_found":
      body = `<p>${e(t("unsubscribePage.notFound"))}</p>`;
      break;
  }
  return `<!DOCTYPE html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${e(t("unsubscribePage.title"))}</title>
<style>body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#202223;line-height:1.5}button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#202223;color:#fff;cursor:pointer}</style>
</head>
<body><main><h1>${e(t("unsubscribePage.title"))}</h1>
${body}
</main></body>
</html>`;
}
