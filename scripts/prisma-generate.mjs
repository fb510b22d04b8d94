// Generates both Prisma clients (SQLite and PostgreSQL) without network access.
// `prisma generate` insists on locating a schema-engine binary before it starts, although
// generate never runs it; pointing the variable at any existing file satisfies the check
// (see ../shared/reference/offline-toolchain.md). Queries use driver adapters and need no engine.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
// prisma/postgresql/schema.prisma is the schema the PostgreSQL migrations produce; it is written by
// `npm run db:new-migration`, and a test checks it matches prisma/schema.prisma.
import { ROOT, SQLITE_SCHEMA_PATH, POSTGRES_SCHEMA_PATH } from "./db/schema-variants.mjs";

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  DATABASE_URL: process.env.DATABASE_URL ?? "file:./prisma/dev.db",
};
const prismaCli = join(ROOT, "node_modules", "prisma", "build", "index.js");
for (const schema of [SQLITE_SCHEMA_PATH, POSTGRES_SCHEMA_PATH]) {
  execFileSync(process.execPath, [prismaCli, "generate", "--schema", schema], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
}
console.log("prisma clients generated (sqlite, postgresql)");
