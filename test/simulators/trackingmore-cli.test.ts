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
  dir = await mkdtemp(join(tmpdir(), "tm-sim-"));
  const accountsFile = join(dir, "accounts.json");
  await writeFile(
    accountsFile,
    JSON.stringify([
      { apiKey: "demo-v4", email: "demo@shop.example", credits: null },
      { apiKey: "metered", credits: 0, webhookUrls: [{ url: "http://127.0.0.1:9/hook", version: "v4", statuses: ["delivered"] }] },
    ]),
  );
  child = spawn(process.execPath, ["--import", "tsx", "simulators/trackingmore/main.ts", "--port", "0", "--accounts", accountsFile], {
    cwd: repoRoot,
  });
  const url = await waitForUrl(child);

  const created = await fetch(`${url}/v4/trackings/create`, {
    method: "POST",
    headers: { "Tracking-Api-Key": "demo-v4", "content-type": "application/json" },
    body: JSON.stringify({ tracking_number: "1Z999AA10123456784", courier_code: "ups" }),
  });
  expect(created.status).toBe(200);
  const metered = await fetch(`${url}/v4/trackings/create`, {
    method: "POST",
    headers: { "Tracking-Api-Key": "metered", "content-type": "application/json" },
    body: JSON.stringify({ tracking_number: "1Z999AA10123456784", courier_code: "ups" }),
  });
  expect(((await metered.json()) as { meta: { code: number } }).meta.code).toBe(4190);
  const accounts = (await (await fetch(`${url}/__sim/accounts`)).json()) as { data: Array<{ apiKey: string; credits: number | null; webhookUrls: unknown[] }> };
  expect(accounts.data.map((a) => [a.apiKey, a.credits, a.webhookUrls.length])).toEqual([
    ["demo-v4", null, 0],
    ["metered", 0, 1],
  ]);

  const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});
