import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnvironment } from "../support/app-environment";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";

let database: TestDatabase;
let healthz: typeof import("~/routes/healthz");

beforeAll(async () => {
  database = await createTestDatabase();
  configureAppEnvironment({ databaseUrl: database.url });
  healthz = await import("~/routes/healthz");
});
afterAll(async () => {
  await database.dispose();
});

async function health() {
  const response = await healthz.loader();
  return { status: response.status, cache: response.headers.get("cache-control"), body: (await response.json()) as unknown };
}

/** Runs SQL on the test database outside the app's connections (PostgreSQL). */
async function onPostgres(sql: string, url = database.url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe(`GET /healthz on ${testDialect()}`, () => {
  it("answers 200 when the database and the job engine answer, uncached and without auth", async () => {
    expect(await health()).toEqual({ status: 200, cache: "no-store", body: { ok: true, database: "ok", jobs: "ok" } });
  });

  it("answers 503 naming the job engine when its storage is gone, and recovers when it is back", async () => {
    if (testDialect() === "postgresql") {
      await onPostgres("ALTER SCHEMA pgboss RENAME TO pgboss_away");
      expect(await health()).toEqual({ status: 503, cache: "no-store", body: { ok: false, database: "ok", jobs: "failed" } });
      await onPostgres("ALTER SCHEMA pgboss_away RENAME TO pgboss");
    } else {
      await database.db.prisma.$executeRawUnsafe(`ALTER TABLE "Job" RENAME TO "JobAway"`);
      expect(await health()).toEqual({ status: 503, cache: "no-store", body: { ok: false, database: "ok", jobs: "failed" } });
      await database.db.prisma.$executeRawUnsafe(`ALTER TABLE "JobAway" RENAME TO "Job"`);
    }
    expect((await health()).status).toBe(200);
  });

  it.runIf(testDialect() === "postgresql")("answers 503 naming both when the database stops answering", async () => {
    // The database disappears under the running app: every connection is cut and none can open.
    const name = new URL(database.url).pathname.slice(1);
    await onPostgres(`DROP DATABASE "${name}" WITH (FORCE)`, database.url.replace(/\/[^/]*$/, "/postgres"));
    expect(await health()).toEqual({ status: 503, cache: "no-store", body: { ok: false, database: "failed", jobs: "failed" } });
  });
});
