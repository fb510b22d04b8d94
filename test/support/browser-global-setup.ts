import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "~/db/migrations.server";
import { ensureChromium } from "../../scripts/chromium.mjs";

/**
 * Once per run, before any browser test file: Chromium is there (installed from Debian's
 * packages when missing, see scripts/chromium.mjs), and a migrated SQLite template that
 * `createTestDatabase` copies. The template is this project's own file, so it never races the
 * "sqlite" project's template (test/setup/sqlite-template.ts) when both projects start together.
 */
export default async function setup(project: TestProject) {
  ensureChromium();
  const dir = resolve(".tmp/test");
  mkdirSync(join(dir, "dbs"), { recursive: true });
  const template = join(dir, "browser-template.db");
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${template}${suffix}`, { force: true });
  await applyMigrations(`file:${template}`);
  project.provide("sqliteTemplate", template);
}
