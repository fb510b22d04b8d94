import type { ActionFunctionArgs } from "@remix-run/node";
import { appContext } from "~/context.server";
import { readBodyWithLimit } from "~/lib/request-body.server";
import { receiveTrackingMoreWebhook } from "~/services/receive-webhooks.server";

/** TrackingMore's pushes for one shop; the merchant pastes this address into TrackingMore. */
const MAX_BODY_BYTES = 1024 * 1024;

export const action = async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
  const rawBody = await readBodyWithLimit(request, MAX_BODY_BYTES);
  const outcome = await receiveTrackingMoreWebhook(appContext(), { token: params.token ?? "", rawBody, headers: request.headers });
  return Response.json({ result: outcome.result }, { status: outcome.status });
};

export const loader = () => new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
