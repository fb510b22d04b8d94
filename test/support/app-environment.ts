/**
 * Route modules use the process-wide singletons (`~/db.server`, `~/shopify.server`,
 * `~/context.server`), configured from the environment on first import, exactly as in
 * production. A test file points the environment at its own database and simulators, then
 * imports the routes. Each test file runs in its own process, so singletons never leak across files.
 */
export function configureAppEnvironment(options: { databaseUrl: string; trackingMoreBaseUrl?: string; shopifyAdminOrigin?: string }): void {
  process.env.DATABASE_URL = options.databaseUrl;
  if (options.trackingMoreBaseUrl) process.env.TRACKINGMORE_API_BASE_URL = options.trackingMoreBaseUrl;
  if (options.shopifyAdminOrigin) process.env.SHOPIFY_ADMIN_API_ORIGIN = options.shopifyAdminOrigin;
}

/** Call a Remix action the way Remix does: thrown Responses (from `authenticate.*`) are responses too. */
export async function callAction(
  action: (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response> | Response,
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    return await action({ request, params, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
