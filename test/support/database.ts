import { randomUUID } from "node:crypto";
import { copyFileSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase, type Database, type Dialect } from "~/db/database.server";
import { closeJobQueue, jobQueueFor } from "~/jobs/queue.server";

export interface TestDatabase {
  db: Database;
  url: string;
  dialect: Dialect;
  dispose(): Promise<void>;
}

export function testDialect(): Dialect {
  return process.env.TEST_DIALECT === "postgresql" ? "postgresql" : "sqlite";
}

/** A fresh, migrated database of the project's dialect, private to the caller. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dialect = testDialect();
  if (dialect === "postgresql") {
    const serverUrl = inject("postgresUrl");
    const name = `t_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const adminUrl = serverUrl.replace(/\/[^/]*$/, "/postgres");
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE tracklight_template`);
    await admin.end();
    const url = serverUrl.replace(/\/[^/]*$/, `/${name}`);
    const db = await openDatabase(url);
    // Its job engine starts with it (pg-boss on PostgreSQL), as the app's does (app/db.server.ts).
    jobQueueFor(db);
    return {
      db,
      url,
      dialect,
      async dispose() {
        await closeJobQueue(db);
        await db.close();
        const cleanup = new pg.Client({ connectionString: adminUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await cleanup.end();
      },
    };
  }
  const template = inject("sqliteTemplate");
  const file = join(dirname(template), "dbs", `${randomUUID()}.db`);
  copyFileSync(template, file);
  const url = `file:${file}`;
  const db = await openDatabase(url);
  return {
    db,
    url,
    dialect,
    async dispose() {
      await closeJobQueue(db);
      await db.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
    },
  };
}
