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

export class SerializedSqliteAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "sqlite" as const;

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
    return new SerializedSqliteAdapter(adapter);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return new SerializedSqliteAdapter(await this.inner.connectToShadowDb());
  }
}
