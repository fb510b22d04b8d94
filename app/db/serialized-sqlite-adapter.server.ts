import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";

/**
 * Wraps Prisma's better-sqlite3 adapter so that it is safe under concurrency.
 *
 * The stock adapter has one connection per process and takes its lock only for transactions, so
 * a query issued while another async task holds an open interactive transaction runs *inside*
 * that transaction and disappears if it rolls back. Here every statement and every transaction
 * takes the same lock, which costs nothing real (SQLite executes one statement at a time anyway).
 *
 * Transactions begin with BEGIN IMMEDIATE: the write lock is taken up front, where the busy
 * timeout applies, instead of failing with SQLITE_BUSY when a read transaction later tries to
 * write after another process (web vs. worker) committed.
 */

class AsyncLock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const statement = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });

class SerializedTransaction implements Transaction {
  readonly provider = "sqlite" as const;
  readonly options = { usePhantomQuery: false };
  #released = false;

  constructor(
    private readonly inner: SqlDriverAdapter,
    private readonly release: () => void,
  ) {}

  get adapterName(): string {
    return this.inner.adapterName;
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.inner.queryRaw(query);
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.inner.executeRaw(query);
  }

  // Prisma's transaction manager has already sent COMMIT/ROLLBACK as SQL (usePhantomQuery: false).
  async commit(): Promise<void> {
    this.#finish();
  }

  async rollback(): Promise<void> {
    // Reached also when COMMIT itself failed; then the transaction is still open on the connection.
    try {
      await this.inner.executeRaw(statement("ROLLBACK"));
    } catch {
      // "no transaction is active": the manager's ROLLBACK already ended it.
    }
    this.#finish();
  }

  async createSavepoint(name: string): Promise<void> {
    await this.inner.executeRaw(statement(`SAVEPOINT ${name}`));
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    await this.inner.executeRaw(statement(`ROLLBACK TO ${name}`));
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.inner.executeRaw(statement(`RELEASE SAVEPOINT ${name}`));
  }

  #finish(): void {
    if (this.#released) return;
    this.#released = true;
    this.release();
  }
}

class SerializedSqliteAdapter implements SqlDriverAdapter {
  readonly provider = "sqlite" as const;
  readonly #lock = new AsyncLock();

  constructor(private readonly inner: SqlDriverAdapter) {}

  /**
   * One parameterised write straight on the connection (prepared once, cached), under the same
   * lock as everything else. For the hottest write of all, queueing an inbound webhook, where
   * Prisma's per-query work would be most of the acknowledgement time. Values must already be
   * SQLite values (see `toSqliteValue`). Returns the number of rows changed.
   */
  runDirect(sql: string, params: unknown[]): Promise<number> {
    const client = (this.inner as unknown as { client?: BetterSqliteDatabase }).client;
    if (!client) return this.executeRaw({ sql, args: params, argTypes: params.map(() => ({ scalarType: "unknown", arity: "scalar" })) });
    return this.#lock.run(async () => client.prepare(sql).bind(params).run().changes);
  }

  get adapterName(): string {
    return this.inner.adapterName;
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.#lock.run(() => this.inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.#lock.run(() => this.inner.executeRaw(query));
  }

  executeScript(script: string): Promise<void> {
    return this.#lock.run(() => this.inner.executeScript(script));
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    if (isolationLevel && isolationLevel !== "SERIALIZABLE") {
      throw new Error(`SQLite transactions are always SERIALIZABLE; ${isolationLevel} was requested`);
    }
    const release = await this.#lock.acquire();
    try {
      await this.inner.executeRaw(statement("BEGIN IMMEDIATE"));
    } catch (error) {
      release();
      throw error;
    }
    return new SerializedTransaction(this.inner, release);
  }

  getConnectionInfo() {
    return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: false };
  }

  dispose(): Promise<void> {
    return this.#lock.run(() => this.inner.dispose());
  }
}

/** The parts of better-sqlite3 the adapter uses. */
interface BetterSqliteStatement {
  readonly reader: boolean;
  run(params: unknown[]): { changes: number };
  columns(): unknown[];
  raw(toggle?: boolean): { all(params: unknown[]): unknown[] };
}
/** What Prisma's adapter does with `prepare(sql)`: bind once, then run or read. */
interface BindableStatement {
  bind(args: unknown[]): { reader: boolean; run(): { changes: number }; columns(): unknown[]; raw(): { all(): unknown[] } };
}
interface BetterSqliteDatabase {
  prepare(sql: string): BindableStatement;
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Prisma's adapter prepares every statement anew (`prepare(sql).bind(args)`), which costs as much
 * as running a small insert. Here `prepare` is memoised per SQL text, and what the adapter gets
 * back binds its arguments per call instead of permanently (better-sqlite3 allows a statement to
 * be bound only once). Safe because every use of the connection is serialised by the lock above
 * and better-sqlite3 runs each statement to completion synchronously. It relies on the adapter's
 * prepare → bind → run | reader/columns/raw().all() sequence, pinned by the exact Prisma version
 * and exercised by the whole test suite; if the adapter's shape changes, caching is skipped.
 */
function cacheStatements(adapter: SqlDriverAdapter): void {
  const client = (adapter as unknown as { client?: BetterSqliteDatabase }).client;
  if (!client || typeof client.prepare !== "function") return;
  const prepare = client.prepare.bind(client) as unknown as (sql: string) => BetterSqliteStatement;
  const cache = new Map<string, BetterSqliteStatement>();
  client.prepare = (sql: string): BindableStatement => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql);
    } else {
      statement = prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    const prepared = statement;
    return {
      bind: (args: unknown[]) => ({
        reader: prepared.reader,
        run: () => prepared.run(args),
        columns: () => prepared.columns(),
        raw: () => ({ all: () => prepared.raw(true).all(args) }),
      }),
    };
  };
}

/** A value as Prisma's SQLite adapter stores it (dates as ISO-8601 with an explicit +00:00 offset). */
export function toSqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value ?? null;
}

export class SerializedSqliteAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "sqlite" as const;
  /** The connection opened by Prisma through this factory (one per client). */
  connection: SerializedSqliteAdapter | null = null;

  constructor(
    private readonly inner: SqlMigrationAwareDriverAdapterFactory,
    /** Statements run once on every new connection (PRAGMAs). */
    private readonly onConnect: string,
  ) {}

  get adapterName(): string {
    return this.inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = await this.inner.connect();
    await adapter.executeScript(this.onConnect);
    cacheStatements(adapter);
    this.connection = new SerializedSqliteAdapter(adapter);
    return this.connection;
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return new SerializedSqliteAdapter(await this.inner.connectToShadowDb());
  }
}
