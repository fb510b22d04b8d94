import { config } from "./config.server";
import { openDatabase, type Database } from "./db/database.server";
import { jobQueueFor } from "./jobs/queue.server";

/**
 * The process-wide database. Migrations are applied before the app starts (`npm run db:migrate`,
 * part of `npm start` and `npm run demo`), never here, so two processes starting together
 * cannot race on them.
 */
declare global {
  var __tracklightDatabase: Promise<Database> | undefined;
}

// Reused across Vite dev-server reloads instead of opening a new connection on every edit.
// The production web server (server/web.mjs) answers webhooks and leaves WAL checkpoints to the worker.
globalThis.__tracklightDatabase ??= openDatabase(config().DATABASE_URL, { checkpointElsewhere: process.env.SQLITE_CHECKPOINT_ELSEWHERE === "1" });

export const db: Database = await globalThis.__tracklightDatabase;
// Start the job engine now (pg-boss on PostgreSQL): a job enqueued inside a transaction finds it by its client.
jobQueueFor(db);
