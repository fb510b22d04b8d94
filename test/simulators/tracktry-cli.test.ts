import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "..", "..");
let child: ChildProcessWithoutNullStreams | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  child = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function startCli(args: string[]): ChildProcessWithoutNullStreams {
  child = spawn(process.execPath, ["--import", "tsx", "simulators/tracktry/main.ts", ...args], { cwd: repoRoot });
  return child;
}

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

it("starts from the CLI, seeds accounts from --accounts and stops cleanly on SIGTERM", async () => {
  dir = await mkdtemp(join(tmpdir(), "tracktry-sim-"));
  const accountsFile = join(dir, "accounts.json");
  await writeFile(
    accountsFile,
    JSON.stringify([
      { apiKey: "demo", monthlyQuota: null },
      { apiKey: "free-plan", remaining: 0 },
    ]),
  );
  const proc = startCli(["--port", "0", "--accounts", accountsFile]);
  const url = await waitForUrl(proc);

  const post = (key: string) =>
    fetch(`${url}/v1/trackings/post`, {
      method: "POST",
      headers: { "Tracktry-Api-Key": key, "content-type": "application/json" },
      body: JSON.stringify({ tracking_number: "1Z999AA10123456784", carrier_code: "ups" }),
    });
  const created = await post("demo");
  expect(created.status).toBe(200);
  expect(((await created.json()) as { meta: { code: number } }).meta.code).toBe(200);
  const exhausted = await post("free-plan");
  expect(((await exhausted.json()) as { meta: { code: number } }).meta.code).toBe(4019);
  const trackingMoreHeader = await fetch(`${url}/v1/trackings/get`, { headers: { "Trackingmore-Api-Key": "demo" } });
  expect(((await trackingMoreHeader.json()) as { meta: { code: number } }).meta.code).toBe(401);

  const accounts = (await (await fetch(`${url}/__sim/accounts`)).json()) as { data: Array<{ apiKey: string; monthlyQuota: number | null; remaining: number | null }> };
  expect(accounts.data.map((a) => [a.apiKey, a.monthlyQuota, a.remaining])).toEqual([
    ["demo", null, null],
    ["free-plan", 500, 0],
  ]);

  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  proc.kill("SIGTERM");
  expect(await exited).toBe(0);
});

it("refuses a bad flag value with exit code 1 and a one-line message", async () => {
  const proc = startCli(["--port", "not-a-port"]);
  let err = "";
  proc.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
  expect(code).toBe(1);
  expect(err.trim()).toBe('--port must be a number >= 0, got "not-a-port"');
});
