import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { readBody, startHttpServer, type RunningServer } from "../../simulators/lib/http-server";

const repoRoot = join(import.meta.dirname, "..", "..");
let child: ChildProcessWithoutNullStreams | undefined;
let receiver: RunningServer | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  child = undefined;
  await receiver?.close();
  receiver = undefined;
});

function waitForUrl(proc: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${out}\n${err}`)), 15_000);
    proc.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}:\n${out}\n${err}`));
    });
  });
}

it("starts from the CLI with the example seed, serves GraphQL, signs webhooks with SHOPIFY_API_SECRET and stops on SIGTERM", async () => {
  const bodies: Array<{ topic: string | undefined; hmac: string | undefined; raw: Buffer }> = [];
  receiver = await startHttpServer(async (req, res) => {
    bodies.push({ topic: req.headers["x-shopify-topic"] as string, hmac: req.headers["x-shopify-hmac-sha256"] as string, raw: await readBody(req) });
    res.writeHead(200).end();
  });
  child = spawn(
    process.execPath,
    ["--import", "tsx", "simulators/shopify/main.ts", "--port", "0", "--app-url", receiver.url, "--seed", "simulators/shopify/seed.example.json"],
    { cwd: repoRoot, env: { ...process.env, SHOPIFY_API_SECRET: "cli-secret" } },
  );
  const url = await waitForUrl(child);

  const res = await fetch(`${url}/demo-shop.myshopify.com/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": "shpat_demo_offline_token" },
    body: JSON.stringify({ query: `{ shop { currencyCode ianaTimezone } orders(first: 1, query: "fulfillment_status:unshipped") { edges { node { id name email } } } }` }),
  });
  const json = (await res.json()) as any;
  expect(json.data.shop).toEqual({ currencyCode: "GBP", ianaTimezone: "Europe/London" });
  expect(json.data.orders.edges[0].node).toMatchObject({ name: "#1002", email: "grace@example.com" });

  const orderId = json.data.orders.edges[0].node.id as string;
  const created = await fetch(`${url}/__sim/shops/demo-shop.myshopify.com/orders/${encodeURIComponent(orderId)}/fulfillments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ trackingCompany: "UPS", trackingNumbers: ["1ZCIETST0111111114"] }),
  });
  expect(((await created.json()) as any).delivery.httpStatus).toBe(200);
  expect(bodies).toHaveLength(1);
  expect(bodies[0]!.topic).toBe("fulfillments/create");
  expect(bodies[0]!.hmac).toBe(createHmac("sha256", "cli-secret").update(bodies[0]!.raw).digest("base64"));

  const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});
