import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "~/db/migrations.server";

/** Migrate one SQLite file; every test file starts from a copy of it. */
export default async function setup(project: TestProject) {
  const dir = resolve(".tmp/test");
  mkdirSync(join(dir, "dbs"), { recursive: true });
  const template = join(dir, "template.db");
  rmSync(template, { force: true });
  rmSync(`${template}-wal`, { force: true });
  rmSync(`${template}-shm`, { force: true });
  await applyMigrations(`file:${template}`);
  project.provide("sqliteTemplate", template);
}

declare module "vitest" {
  export interface ProvidedContext {
    sqliteTemplate: string;
    postgresUrl: string;
  }
}
