// Fails when prisma/schema.prisma has changes no migration captures yet, or when the PostgreSQL
// schema has drifted from it. Run after editing the schema: `npm run db:check`.
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pendingSchemaChangeSql } from "~/db/migrations.server";
import { derivePostgresSchema, POSTGRES_SCHEMA_PATH, SQLITE_SCHEMA_PATH } from "./schema-variants.mjs";

const problems: string[] = [];
const scratch = join(tmpdir(), `tracklight-check-${process.pid}.db`);
try {
  const sql = (await pendingSchemaChangeSql(`file:${scratch}`)).replace(/--.*$/gm, "").trim();
  if (sql) problems.push(`prisma/schema.prisma has changes without a migration:\n${sql}`);
} finally {
  rmSync(scratch, { force: true });
}
if (readFileSync(POSTGRES_SCHEMA_PATH, "utf8") !== derivePostgresSchema(readFileSync(SQLITE_SCHEMA_PATH, "utf8"))) {
  problems.push("prisma/postgresql/schema.prisma does not match prisma/schema.prisma");
}
if (problems.length) {
  console.error(`${problems.join("\n\n")}\n\nRun: npm run db:new-migration -- <name>`);
  process.exit(1);
}
console.log("migrations match the schema");
