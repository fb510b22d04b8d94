import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqlitePrismaClient } from "~/generated/prisma-sqlite/client";
import { SerializedSqliteAdapterFactory } from "./serialized-sqlite-adapter.server";

export type Dialect = "sqlite" | "postgresql";

/**
 * The model API. Both generated clients (SQLite and PostgreSQL) come from the same schema and
 * expose identical model methods; code is written against this one type.
 */
export type PrismaClient = SqlitePrismaClient;
export type TransactionClient = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export interface Database {
  readonly prisma: PrismaClient;
  readonly dialect: Dialect;
  readonly url: string;
  close(): Promise<void>;
}

export function dialectOf(url: string): Dialect {
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)`);
}

// WAL lets the web process read while the worker writes. synchronous=NORMAL in WAL mode keeps
// every committed transaction across a process crash (kill -9); only an OS crash or power loss
// can lose the last commits. See docs/decisions/0002-one-schema-two-databases.md.
const SQLITE_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

/**
 * `forMigrations`: the schema engine drives transactions and multi-statement scripts itself and
 * runs alone, so it gets Prisma's adapter unwrapped.
 */
export function createDriverAdapter(url: string, options: { forMigrations?: boolean } = {}): SerializedSqliteAdapterFactory | PrismaBetterSqlite3 | PrismaPg {
  if (dialectOf(url) === "sqlite") {
    const adapter = new PrismaBetterSqlite3({ url, timeout: 15_000 });
    return options.forMigrations ? adapter : new SerializedSqliteAdapterFactory(adapter, SQLITE_PRAGMAS);
  }
  return new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
}

export async function openDatabase(url: string): Promise<Database> {
  const dialect = dialectOf(url);
  const adapter = createDriverAdapter(url) as SerializedSqliteAdapterFactory | PrismaPg;
  let prisma: PrismaClient;
  if (dialect === "sqlite") {
    prisma = new SqlitePrismaClient({ adapter });
  } else {
    // Loaded only when used: the PostgreSQL client carries its own query compiler.
    const { PrismaClient: PostgresPrismaClient } = await import("~/generated/prisma-postgresql/client");
    prisma = new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
  }
  await prisma.$connect();
  return {
    prisma,
    dialect,
    url,
    close: () => prisma.$disconnect(),
  };
}
