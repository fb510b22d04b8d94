import { webhookAction, webhookLoader, WEBHOOK_ROUTES } from "~/http/webhook-routes.server";

export const action = webhookAction(WEBHOOK_ROUTES.fulfillmentsUpdate);
export const loader = webhookLoader;
