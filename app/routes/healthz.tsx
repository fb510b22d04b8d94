import { db } from "~/db.server";
import { checkHealth } from "~/services/health.server";

/**
 * GET /healthz for load balancers and orchestrators: 200 when the database and the job engine
 * answer, 503 naming the one that did not. No authentication (it reveals nothing but "ok"/"failed").
 */
export const loader = async () => {
  const report = await checkHealth(db);
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
};
