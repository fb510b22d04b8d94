// The PostgreSQL schema is derived from prisma/schema.prisma (SQLite) by changing only the
// provider and the client output folder; see docs/decisions/0002-one-schema-two-databases.md.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SQLITE_SCHEMA_PATH = join(ROOT, "prisma", "schema.prisma");
export const POSTGRES_SCHEMA_PATH = join(ROOT, "prisma", "postgresql", "schema.prisma");

const HEADER = "// GENERATED from prisma/schema.prisma by scripts/db/schema-variants.mjs; edit that file instead.\n";

export function derivePostgresSchema(sqliteSchema) {
  const provider = /provider\s*=\s*"sqlite"/;
  const output = /output\s*=\s*"\.\.\/app\/generated\/prisma-sqlite"/;
  if (!provider.test(sqliteSchema) || !output.test(sqliteSchema)) {
    throw new Error("prisma/schema.prisma must declare provider \"sqlite\" and output \"../app/generated/prisma-sqlite\"");
  }
  return (
    HEADER +
    sqliteSchema
      .replace(provider, 'provider = "postgresql"')
      .replace(output, 'output       = "../../app/generated/prisma-postgresql"')
  );
}
