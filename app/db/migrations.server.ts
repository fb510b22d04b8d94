import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import * as schemaEngineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import { createDriverAdapter, dialectOf, type Dialect } from "./database.server";

/**
 * Applies `prisma/migrations` (SQLite) or `prisma/postgresql/migrations` (PostgreSQL) with
 * Prisma's WebAssembly schema engine. It records them in `_prisma_migrations` exactly like
 * `prisma migrate deploy`, which cannot run here because its CLI downloads a native engine first.
 * See docs/decisions/0002-one-schema-two-databases.md.
 */

const PROJECT_ROOT = resolve(process.env.TRACKLIGHT_ROOT ?? process.cwd());
const NO_FILTER = { externalTables: [], externalEnums: [] };

export function schemaPathFor(dialect: Dialect): string {
  return join(PROJECT_ROOT, "prisma", ...(dialect === "postgresql" ? ["postgresql"] : []), "schema.prisma");
}

export function migrationsDirFor(dialect: Dialect): string {
  return join(PROJECT_ROOT, "prisma", ...(dialect === "postgresql" ? ["postgresql"] : []), "migrations");
}

// The bindings module is shared by every importer in the process (even across separately loaded
// copies of this file, as in test setups), and instantiating twice would corrupt its cached view
// of wasm memory: the flag lives on globalThis.
const WASM_READY = Symbol.for("tracklight.schemaEngineWasmReady");

function initWasm(): void {
  const registry = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (registry[WASM_READY]) return;
  // The package's ESM entry imports the .wasm file directly, which Node cannot do; instantiate it by hand.
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmPath)), {
    "./schema_engine_bg.js": schemaEngineBindings as unknown as WebAssembly.ModuleImports,
  });
  const bindings = schemaEngineBindings as unknown as { __wbg_set_wasm(exports: WebAssembly.Exports): void };
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  registry[WASM_READY] = true;
}

export function readMigrationList(dialect: Dialect): MigrationList {
  const dir = migrationsDirFor(dialect);
  const lockPath = join(dir, "migration_lock.toml");
  const directories = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort((a, b) => a.localeCompare(b))
    : [];
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: directories.map((name) => {
      const file = join(dir, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: existsSync(file)
            ? { tag: "ok" as const, value: readFileSync(file, "utf8") }
            : { tag: "error" as const, value: `${file} is missing` },
        },
      };
    }),
  };
}

/**
 * When replaying migrations into SQLite's shadow database, the wasm engine sends each whole
 * migration file through `executeRaw`, which better-sqlite3 refuses ("more than one statement");
 * such parameterless multi-statement SQL is run as a script instead.
 */
function tolerateScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property !== "executeRaw") return Reflect.get(target, property, receiver);
      return async (query: { sql: string; args: unknown[] }) => {
        if (query.args.length === 0 && /;\s*\S/.test(query.sql)) {
          await target.executeScript(query.sql);
          return 0;
        }
        return target.executeRaw(query as never);
      };
    },
  });
}

/**
 * The engine never closes the connections it opens (and on SQLite one of them keeps a lock), so
 * every connection is recorded here and closed when the engine is done.
 */
function migrationAdapterFactory(url: string): { factory: SqlMigrationAwareDriverAdapterFactory; disposeAll(): Promise<void> } {
  const inner = createDriverAdapter(url, { forMigrations: true }) as SqlMigrationAwareDriverAdapterFactory;
  const opened: SqlDriverAdapter[] = [];
  const wrap = (adapter: SqlDriverAdapter) => {
    opened.push(adapter);
    return dialectOf(url) === "sqlite" ? tolerateScripts(adapter) : adapter;
  };
  return {
    factory: {
      provider: inner.provider,
      adapterName: inner.adapterName,
      connect: async () => wrap(await inner.connect()),
      connectToShadowDb: async () => wrap(await inner.connectToShadowDb()),
    },
    disposeAll: async () => {
      await Promise.allSettled(opened.splice(0).map((adapter) => adapter.dispose()));
    },
  };
}

/** Runs `fn` with a schema engine for `url`; `schemaOverride` replaces the dialect's schema file (for authoring migrations). */
export async function withSchemaEngine<T>(
  url: string,
  fn: (engine: SchemaEngine, schema: string) => Promise<T>,
  schemaOverride?: string,
): Promise<T> {
  initWasm();
  const dialect = dialectOf(url);
  const schemaPath = schemaPathFor(dialect);
  const schema = schemaOverride ?? readFileSync(schemaPath, "utf8");
  const connections = migrationAdapterFactory(url);
  const engine = await schemaEngineBindings.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(connections.factory),
  );
  try {
    return await fn(engine, schema);
  } finally {
    engine.free();
    await connections.disposeAll();
  }
}

/** Bring the database up to date. Safe to call on every start: applied migrations are skipped. */
export async function applyMigrations(url: string): Promise<string[]> {
  const dialect = dialectOf(url);
  return withSchemaEngine(url, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: readMigrationList(dialect),
      filters: NO_FILTER,
    });
    return appliedMigrationNames;
  });
}

/**
 * SQL that takes a database shaped by `fromSchema` (null: empty) to `toSchema`, computed from the
 * two datamodels alone. Used for PostgreSQL, whose shadow-database introspection through the
 * driver adapter fails (`Column type 'char' could not be deserialized`).
 */
export async function datamodelDiffSql(url: string, fromSchema: string | null, toSchema: string): Promise<string> {
  const schemaPath = schemaPathFor(dialectOf(url));
  return withSchemaEngine(url, async (engine) => {
    const result = await engine.diff({
      from: fromSchema === null ? { tag: "empty" } : { tag: "schemaDatamodel", files: [{ path: schemaPath, content: fromSchema }] },
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: toSchema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return result.stdout ?? "";
  }, toSchema);
}

/**
 * SQL that takes a database with every existing migration applied to the current schema.
 * Uses the adapter's shadow database (in-memory for SQLite, a scratch database for PostgreSQL).
 */
export async function pendingSchemaChangeSql(url: string): Promise<string> {
  const dialect = dialectOf(url);
  return withSchemaEngine(url, async (engine, schema) => {
    const result = await engine.diff({
      from: { tag: "migrations", ...readMigrationList(dialect) },
      to: { tag: "schemaDatamodel", files: [{ path: schemaPathFor(dialect), content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return result.stdout ?? "";
  });
}
