import { config } from "./config.server";
import { openDatabase, type Database } from "./db/database.server";
import { closeJobQueue, jobQueueFor } from "./jobs/queue.server";

/**
 * The process-wide database. Migrations are applied before the app starts (`npm run db:migrate`,
 * part of `npm start` and `npm run demo`), never here, so two processes starting together
 * cannot race on them.
 */
declare global {
  var __tracklightDatabase: Promise<Database> | undefined;
  /** For server/web.mjs on SIGTERM, which cannot import the build's modules: stops the job engine and closes the database. */
  var __tracklightCloseDatabase: (() => Promise<void>) | undefined;
}

// Reused across Vite dev-server reloads instead of opening a new connection on every edit.
// The production web server (server/web.mjs) answers webhooks and leaves WAL checkpoints to the worker.
globalThis.__tracklightDatabase ??= openDatabase(config().DATABASE_URL, { checkpointElsewhere: process.env.SQLITE_CHECKPOINT_ELSEWHERE === "1" });

export const db: Database = await globalThis.__tracklightDatabase;
// Start the job engine now (pg-boss on PostgreSQL): a job enqueued inside a transaction finds it by its client.
jobQueueFor(db);
globalThis.__tracklightCloseDatabase = async () => {
  await closeJobQueue(db);
  await db.close();
};
