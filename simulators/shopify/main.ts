import { parseArgs } from "node:util";
import { startShopifySimulator } from "./index";
import { applySeed, loadSeedFile } from "./seed";

/**
 * Runs the Shopify simulator as its own process (the offline demo drives it over /__sim/…).
 *
 *   npx tsx simulators/shopify/main.ts --port 4020 --app-url http://127.0.0.1:3000 \
 *     --api-secret "$SHOPIFY_API_SECRET" --seed simulators/shopify/seed.example.json
 */

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4020" },
    "app-url": { type: "string" },
    "api-secret": { type: "string" },
    seed: { type: "string" },
    "bulk-duration-ms": { type: "string" },
    "webhook-retry-base-ms": { type: "string" },
    "webhook-topics": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(
    "usage: main.ts [--port 4020] [--app-url URL] [--api-secret SECRET | env SHOPIFY_API_SECRET] [--seed file.json]\n" +
      "               [--bulk-duration-ms 2000] [--webhook-retry-base-ms 60000] [--webhook-topics a/b,c/d]",
  );
  process.exit(0);
}

const apiSecretKey = values["api-secret"] ?? process.env.SHOPIFY_API_SECRET;
if (!apiSecretKey) {
  console.error("--api-secret or SHOPIFY_API_SECRET is required (it signs the webhooks)");
  process.exit(2);
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const sim = await startShopifySimulator({
  port: Number(values.port),
  apiSecretKey,
  appUrl: values["app-url"],
  bulkOperationDurationMs: num(values["bulk-duration-ms"]),
  webhookRetryBaseMs: num(values["webhook-retry-base-ms"]),
  webhookTopics: values["webhook-topics"]?.split(",").map((t) => t.trim()).filter(Boolean),
});
if (values.seed) {
  const { shops, orders } = applySeed(sim, await loadSeedFile(values.seed));
  console.log(`seeded ${shops} shop(s), ${orders} order(s) from ${values.seed}`);
}
console.log(`shopify simulator listening on ${sim.url} (GraphQL: ${sim.url}/<shop>.myshopify.com/admin/api/<version>/graphql.json)`);

const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
