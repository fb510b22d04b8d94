import BetterSqlite3 from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { WEB_ENTRY, WEB_NODE_FLAGS } from "../server/web-process.mjs";
import { upsNumber } from "../simulators/lib/tracking-numbers";
import { ROOT } from "./support";

/**
 * One shop with a million shipments in SQLite, for the benchmarks that need a big shop (the
 * shipments index, the storefront lookup), and the built web server they measure through.
 * Orders are named `#<100000 + o>`, e-mailed `customer<o>@example.com`, with `shipmentsPerOrder`
 * UPS shipments each (tracking number `upsNumber(i)`, order `floor(i / shipmentsPerOrder)`).
 */

const STATUS_MIX: [string, number][] = [
  ["delivered", 55],
  ["transit", 24],
  ["pickup", 4],
  ["inforeceived", 3],
  ["pending", 3],
  ["notfound", 2],
  ["exception", 4],
  ["undelivered", 2],
  ["expired", 3],
];
const STATUS_BY_PERCENT = STATUS_MIX.flatMap(([status, share]) => Array<string>(share).fill(status));

const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

/**
 * Raw multi-row INSERTs in large transactions, with the shipment indexes dropped while loading
 * and built once afterwards (sorting once is far cheaper than a million random B-tree inserts).
 */
export function seedBigShop(file: string, shopId: string, shipments: number, shipmentsPerOrder: number): void {
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -262144");
  const indexes = sqlite
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('Shipment', 'Order', 'Fulfillment', 'ShipmentFulfillment') AND sql IS NOT NULL`)
    .all() as { name: string; sql: string }[];
  for (const index of indexes) sqlite.exec(`DROP INDEX "${index.name}"`);

  const now = Date.now();
  const start = now - 365 * 24 * 60 * 60_000;
  const step = (now - start) / shipments;
  const orders = Math.ceil(shipments / shipmentsPerOrder);

  const insertRows = (table: string, columns: string[], rowsPerStatement: number, count: number, row: (i: number) => unknown[]) => {
    const placeholders = `(${columns.map(() => "?").join(", ")})`;
    const statementFor = (n: number) =>
      sqlite.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${Array<string>(n).fill(placeholders).join(", ")}`);
    const full = statementFor(rowsPerStatement);
    const perTransaction = 50_000;
    for (let from = 0; from < count; from += perTransaction) {
      sqlite.transaction(() => {
        const until = Math.min(count, from + perTransaction);
        for (let i = from; i < until; i += rowsPerStatement) {
          const n = Math.min(rowsPerStatement, until - i);
          const values: unknown[] = [];
          for (let k = 0; k < n; k++) values.push(...row(i + k));
          (n === rowsPerStatement ? full : statementFor(n)).run(values);
        }
      })();
    }
  };

  const orderCreated = (o: number) => iso(start + o * shipmentsPerOrder * step);
  insertRows("Order", ["id", "shopId", "shopifyOrderId", "name", "email", "createdAt", "updatedAt"], 500, orders, (o) => {
    const created = orderCreated(o);
    return [`o${o}`, shopId, String(5_000_000_000 + o), `#${100_000 + o}`, `customer${o}@example.com`, created, created];
  });
  insertRows("Fulfillment", ["id", "shopId", "orderId", "shopifyFulfillmentId", "name", "status", "trackingCompany", "createdAt", "updatedAt"], 500, orders, (o) => {
    const created = orderCreated(o);
    return [`f${o}`, shopId, `o${o}`, String(6_000_000_000 + o), `#${100_000 + o}.1`, "success", "UPS", created, created];
  });
  const providers = ["trackingmore", "trackingmore", "trackingmore", "trackingmore", "ups"];
  insertRows(
    "Shipment",
    ["id", "shopId", "trackingNumber", "carrierCode", "carrierSource", "trackingCompany", "provider", "registrationState", "registeredAt", "status", "lastEventAt", "lastEventDescription", "lastCheckedAt", "createdAt", "updatedAt"],
    400,
    shipments,
    (i) => {
      const createdMs = start + i * step;
      const status = STATUS_BY_PERCENT[(i * 37) % 100]!;
      const heard = status !== "pending" && status !== "notfound";
      const lastEventMs = heard ? createdMs + ((i * 7919) % 96) * 3_600_000 : null;
      const registrationState = i % 250 === 0 ? "failed" : status === "pending" ? "pending" : "registered";
      const created = iso(createdMs);
      return [
        `s${String(i).padStart(8, "0")}`,
        shopId,
        upsNumber(i),
        "ups",
        "shopify",
        "UPS",
        providers[i % providers.length],
        registrationState,
        registrationState === "registered" ? created : null,
        status,
        lastEventMs === null ? null : iso(Math.min(lastEventMs, now)),
        heard ? "Departed from facility" : null,
        lastEventMs === null ? null : iso(Math.min(lastEventMs, now)),
        created,
        created,
      ];
    },
  );
  insertRows("ShipmentFulfillment", ["shipmentId", "fulfillmentId", "createdAt"], 1000, shipments, (i) => [
    `s${String(i).padStart(8, "0")}`,
    `f${Math.floor(i / shipmentsPerOrder)}`,
    iso(start + i * step),
  ]);
  for (const index of indexes) sqlite.exec(index.sql);
  sqlite.exec("ANALYZE");
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.close();
}

export function startBenchWebServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...WEB_NODE_FLAGS, join(ROOT, WEB_ENTRY)], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
}

export function stopBenchWebServer(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
