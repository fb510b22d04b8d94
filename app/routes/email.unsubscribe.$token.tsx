import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { appContext } from "~/context.server";
import { renderUnsubscribePage } from "~/email/unsubscribe-page";
import { readBodyWithLimit } from "~/http/request-body.server";
import { resolveUnsubscribeToken, unsubscribeFromTrackingEmails } from "~/services/unsubscribe-links.server";

/**
 * `GET /email/unsubscribe/:token`: a page asking to confirm (a GET never unsubscribes: mail
 * scanners open every link). `POST`: the confirm button, or a mail client's one-click request
 * (RFC 8058, body `List-Unsubscribe=One-Click`): suppress, 200. A token we did not issue: 404.
 */

// Mail providers may send the one-click POST as multipart/form-data; a few KB is plenty either way.
const FORM_LIMIT_BYTES = 16_384;

function page(html: string, status: number): Response {
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "X-Robots-Tag": "noindex",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    },
  });
}

export const loader = async ({ params, request }: LoaderFunctionArgs) => {
  const token = params.token ?? "";
  const target = await resolveUnsubscribeToken(appContext(), token);
  if (!target) return page(renderUnsubscribePage({ kind: "not_found" }, null), 404);
  const formAction = new URL(request.url).pathname;
  return page(renderUnsubscribePage({ kind: "confirm", orderName: target.orderName, formAction }, target.locale), 200);
};

export const action = async ({ params, request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "GET, POST" } });
  const form = new URLSearchParams(await readBodyWithLimit(request, FORM_LIMIT_BYTES));
  const everyOrder = form.get("everyOrder") === "on";
  const target = await unsubscribeFromTrackingEmails(appContext(), params.token ?? "", { everyOrder });
  if (!target) return page(renderUnsubscribePage({ kind: "not_found" }, null), 404);
  return page(renderUnsubscribePage({ kind: "done", orderName: target.orderName, everyOrder }, target.locale), 200);
};
