// Used by the stock Prisma CLI on connected machines (`prisma migrate deploy`, `prisma studio`).
// This repository applies migrations itself through the WebAssembly schema engine
// (app/db/migrations.server.ts) so that no engine download is needed; both read the same folders.
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL ?? "file:./prisma/dev.db";
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  schema: postgres ? "prisma/postgresql/schema.prisma" : "prisma/schema.prisma",
  migrations: { path: postgres ? "prisma/postgresql/migrations" : "prisma/migrations" },
  datasource: { url },
});
