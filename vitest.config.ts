import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Values only tests use; production takes them from the environment (app/config.server.ts).
const testEnv = {
  NODE_ENV: "test" as const,
  SHOPIFY_API_KEY: "tracklight-test-api-key",
  SHOPIFY_API_SECRET: "tracklight-test-api-secret",
  SHOPIFY_APP_URL: "https://tracklight.test",
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  LOG_LEVEL: "silent",
};

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    env: testEnv,
    setupFiles: ["test/setup/fail-on-console-error.ts"],
    // The proxy bundles the theme block's stylesheet with `?raw` (app/http/app-proxy-assets.server.ts); by default vitest empties CSS.
    css: { include: [/extensions\/tracking-page\/assets\//] },
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts", "test/simulators/**/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["test/integration/**/*.test.ts"],
          env: { ...testEnv, TEST_DIALECT: "sqlite" },
          globalSetup: ["test/setup/sqlite-template.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "postgresql",
          include: ["test/integration/**/*.test.ts"],
          env: { ...testEnv, TEST_DIALECT: "postgresql" },
          globalSetup: ["test/setup/postgres-server.ts"],
        },
      },
      {
        // Real Chromium against the built app, through a stand-in for the Shopify admin
        // (test/support/browser.ts). SQLite only: the database is not what these tests are about.
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          env: { ...testEnv, TEST_DIALECT: "sqlite" },
          globalSetup: ["test/support/browser-global-setup.ts"],
        },
      },
      {
        // Crash, provider faults, flood and bad input across the real processes (docs/reliability.md).
        // One file at a time: each loads the 2-core machine on its own. SQLite, the embedded default.
        extends: true,
        test: {
          name: "reliability",
          include: ["test/reliability/**/*.test.ts"],
          env: { ...testEnv, TEST_DIALECT: "sqlite" },
          globalSetup: ["test/setup/sqlite-template.ts"],
          fileParallelism: false,
        },
      },
    ],
  },
});
