// Apply pending migrations to DATABASE_URL (SQLite file or PostgreSQL) without any engine download.
import { applyMigrations } from "~/db/migrations.server";

const url = process.env.DATABASE_URL ?? "file:./prisma/dev.db";
const applied = await applyMigrations(url);
console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
