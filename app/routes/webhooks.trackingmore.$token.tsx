import { webhookAction, webhookLoader, WEBHOOK_ROUTES } from "~/http/webhook-routes.server";

export const action = webhookAction(WEBHOOK_ROUTES.trackingMore);

export const loader = webhookLoader;
