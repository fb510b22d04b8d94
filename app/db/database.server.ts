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
  /**
   * SQLite only: one parameterised write on the connection without Prisma's per-query work,
   * with values already in SQLite form (`toSqliteValue`). For the webhook acknowledgement path.
   */
  readonly runDirect?: (sql: string, params: unknown[]) => Promise<number>;
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
 * Processes that answer webhooks do not checkpoint the WAL themselves: a checkpoint fsyncs
 * inside whichever commit triggers it, a multi-millisecond stall on the acknowledgement path.
 * The worker checkpoints instead (`checkpointSqlite`), outside any request.
 */
const NO_AUTOCHECKPOINT = "PRAGMA wal_autocheckpoint = 0;";

export interface OpenOptions {
  /** SQLite only: leave WAL checkpoints to another process (see NO_AUTOCHECKPOINT). */
  checkpointElsewhere?: boolean;
}

/**
 * `forMigrations`: the schema engine drives transactions and multi-statement scripts itself and
 * runs alone, so it gets Prisma's adapter unwrapped.
 */
export function createDriverAdapter(
  url: string,
  options: { forMigrations?: boolean } & OpenOptions = {},
): SerializedSqliteAdapterFactory | PrismaBetterSqlite3 | PrismaPg {
  if (dialectOf(url) === "sqlite") {
    const adapter = new PrismaBetterSqlite3({ url, timeout: 15_000 });
    if (options.forMigrations) return adapter;
    return new SerializedSqliteAdapterFactory(adapter, SQLITE_PRAGMAS + (options.checkpointElsewhere ? NO_AUTOCHECKPOINT : ""));
  }
  return new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const dialect = dialectOf(url);
  const adapter = createDriverAdapter(url, options) as SerializedSqliteAdapterFactory | PrismaPg;
  let prisma: PrismaClient;
  if (dialect === "sqlite") {
    prisma = new SqlitePrismaClient({ adapter });
  } else {
    // Loaded only when used: the PostgreSQL client carries its own query compiler.
    const { PrismaClient: PostgresPrismaClient } = await import("~/generated/prisma-postgresql/client");
    prisma = new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
  }
  await prisma.$connect();
  const connection = adapter instanceof SerializedSqliteAdapterFactory ? adapter.connection : null;
  return {
    prisma,
    dialect,
    url,
    ...(connection ? { runDirect: (sql: string, params: unknown[]) => connection.runDirect(sql, params) } : {}),
    close: () => prisma.$disconnect(),
  };
}

/**
 * Move the WAL's content into the database file without blocking writers (PASSIVE), so the WAL
 * stays small while web processes have automatic checkpoints turned off. No-op on PostgreSQL.
 */
export async function checkpointSqlite(db: Database): Promise<void> {
  if (db.dialect !== "sqlite") return;
  await db.prisma.$queryRawUnsafe("PRAGMA wal_checkpoint(PASSIVE)");
}
