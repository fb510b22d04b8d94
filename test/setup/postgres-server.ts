import pg from "pg";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "~/db/migrations.server";
import { ensurePostgres } from "../../scripts/postgres.mjs";

export const TEMPLATE_DATABASE = "tracklight_template";

/** Start (or reuse) a real PostgreSQL server and migrate a template database that every test file clones. */
export default async function setup(project: TestProject) {
  const server = await ensurePostgres();
  const admin = new pg.Client({ connectionString: server.url.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DATABASE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  } finally {
    await admin.end();
  }
  await applyMigrations(server.url.replace(/\/[^/]*$/, `/${TEMPLATE_DATABASE}`));
  project.provide("postgresUrl", server.url);
  return async () => {
    await server.stopIfStarted();
  };
}
