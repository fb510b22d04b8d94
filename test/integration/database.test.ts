import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, readMigrationList } from "~/db/migrations.server";
import { derivePostgresSchema, POSTGRES_SCHEMA_PATH, SQLITE_SCHEMA_PATH } from "../../scripts/db/schema-variants.mjs";
import { createTestDatabase, testDialect, type TestDatabase } from "../support/database";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

describe(`migrations on ${testDialect()}`, () => {
  it("recorded every migration in _prisma_migrations, the table `prisma migrate deploy` reads", async () => {
    const rows = await database.db.prisma.$queryRaw<Array<{ migration_name: string; finished_at: Date | null }>>`
      SELECT "migration_name", "finished_at" FROM "_prisma_migrations" ORDER BY "migration_name"`;
    const onDisk = readMigrationList(testDialect()).migrationDirectories.map((directory) => directory.path);
    expect(onDisk.length).toBeGreaterThan(0);
    expect(rows.map((row) => row.migration_name)).toEqual(onDisk);
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);
  });

  it("applies nothing the second time", async () => {
    // SQLite migrations take an exclusive lock, as `prisma migrate deploy` does: no other connection may be open.
    const second = await createTestDatabase();
    await second.db.close();
    try {
      expect(await applyMigrations(second.url)).toEqual([]);
    } finally {
      await second.dispose();
    }
  });

  it("the PostgreSQL schema is the SQLite schema with only the provider changed", () => {
    // The PostgreSQL schema file is what its migrations produce; it must never drift from the source.
    expect(readFileSync(POSTGRES_SCHEMA_PATH, "utf8")).toBe(derivePostgresSchema(readFileSync(SQLITE_SCHEMA_PATH, "utf8")));
  });

  it.runIf(testDialect() === "sqlite")("the migration history produces exactly prisma/schema.prisma (npm run db:check)", () => {
    // In its own process, as in CI: the schema engine replays the history into a shadow database.
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/db/check.ts"], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("migrations match the schema");
    expect(result.status).toBe(0);
  });

  it("pins the wasm schema engine to the engines version of the installed Prisma CLI", () => {
    const require = createRequire(import.meta.url);
    const wasmDir = dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    const wasm = JSON.parse(readFileSync(join(wasmDir, "package.json"), "utf8")) as { version: string };
    const enginesPackage = require.resolve("@prisma/engines/package.json", { paths: [require.resolve("prisma/package.json")] });
    const engines = JSON.parse(readFileSync(enginesPackage, "utf8")) as { dependencies: Record<string, string> };
    expect(wasm.version).toBe(engines.dependencies["@prisma/engines-version"]);
  });
});

describe("Shopify's Prisma session storage on the Prisma 7 client", () => {
  it("stores, finds by shop, loads and deletes an offline session", async () => {
    const storage = new PrismaSessionStorage(database.db.prisma as never);
    await storage.isReady();
    const session = new Session({
      id: "offline_storage-test.myshopify.com",
      shop: "storage-test.myshopify.com",
      state: "state-1",
      isOnline: false,
      scope: "read_orders,write_fulfillments",
      accessToken: "shpat_storage_test",
    });
    expect(await storage.storeSession(session)).toBe(true);
    const loaded = await storage.loadSession(session.id);
    expect(loaded?.accessToken).toBe("shpat_storage_test");
    expect(loaded?.scope).toBe("read_orders,write_fulfillments");
    expect((await storage.findSessionsByShop("storage-test.myshopify.com")).map((s) => s.id)).toEqual([session.id]);
    expect(await storage.deleteSession(session.id)).toBe(true);
    expect(await storage.loadSession(session.id)).toBeUndefined();
  });
});
