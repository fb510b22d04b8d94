import { webhookAction, WEBHOOK_ROUTES } from "~/http/webhook-routes.server";

export const action = webhookAction(WEBHOOK_ROUTES.ups);

export const loader = () => new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
