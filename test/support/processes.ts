import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { WEB_ENTRY, WEB_NODE_FLAGS } from "../../server/web-process.mjs";

/**
 * The app's real processes, started as production starts them: the built Remix server
 * (`server/web.mjs`) and the job worker (`server/worker.ts`). Tests talk to them over loopback
 * HTTP and can kill them with any signal.
 */


export interface AppEnvironment {
  DATABASE_URL: string;
  TRACKINGMORE_API_BASE_URL?: string;
  SHOPIFY_ADMIN_API_ORIGIN?: string;
  [name: string]: string | undefined;
}

function childEnvironment(env: AppEnvironment): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY,
    SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET,
    SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL,
    ENCRYPTION_KEY: process.env.ENCRYPTION_KEY,
    LOG_LEVEL: "warn",
    // An engineer debugging against their own build (`remix vite:build --outDir …`) points every started process at it.
    ...(process.env.TRACKLIGHT_BUILD_DIR ? { TRACKLIGHT_BUILD_DIR: process.env.TRACKLIGHT_BUILD_DIR } : {}),
    ...env,
  };
}

export interface RunningWeb {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startWebServer(env: AppEnvironment): Promise<RunningWeb> {
  if (!existsSync(resolve("build/server/index.js"))) {
    throw new Error("build/ is missing: run `npm run build` (npm test does it) before the end-to-end tests");
  }
  const child = spawn(process.execPath, [...WEB_NODE_FLAGS, resolve(WEB_ENTRY)], {
    env: childEnvironment({ PORT: "0", HOST: "127.0.0.1", ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`web server exited (${code}) before listening:\n${output}`)));
  });
  return { url, process: child, stop: () => stopProcess(child) };
}

export interface RunningWorker {
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export function startWorker(env: AppEnvironment): RunningWorker {
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a child process, and a
  // SIGKILL would hit only the wrapper and leave the real worker running.
  const child = spawn(process.execPath, ["--import", "tsx", resolve("server/worker.ts")], {
    env: childEnvironment(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return {
    process: child,
    output: () => output,
    stop: () => stopProcess(child),
    kill9: () => stopProcess(child, "SIGKILL"),
  };
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once("exit", () => done());
    child.kill(signal);
  });
}

/** Poll until `check` returns a value (not undefined/false), or fail with `describe()` after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, options: { timeoutMs?: number; describe?: () => Promise<string> | string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`condition not reached in time${options.describe ? `: ${await options.describe()}` : ""}`);
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
  }
}
