import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { readBody, type RunningServer, startHttpServer } from "../../simulators/lib/http-server";

const repoRoot = join(import.meta.dirname, "..", "..");
let child: ChildProcessWithoutNullStreams | undefined;
let dir: string | undefined;
let hookServer: RunningServer | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  child = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
  await hookServer?.close();
  hookServer = undefined;
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

it("starts from the CLI in CIE mode, seeds clients from --clients, plays the test sequence and stops on SIGTERM", async () => {
  dir = await mkdtemp(join(tmpdir(), "ups-sim-"));
  const clientsFile = join(dir, "clients.json");
  await writeFile(clientsFile, JSON.stringify([{ clientId: "demo", clientSecret: "demo-secret" }]));
  const received: string[] = [];
  const hook = await startHttpServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)).toString("utf8")) as { activityStatus: { code: string } };
    received.push(`${req.headers.credential} ${body.activityStatus.code}`);
    res.writeHead(200);
    res.end();
  });
  hookServer = hook;
  child = spawn(
    process.execPath,
    ["--import", "tsx", "simulators/ups/main.ts", "--port", "0", "--environment", "cie", "--clients", clientsFile, "--cie-event-spacing-ms", "10"],
    { cwd: repoRoot },
  );
  const url = await waitForUrl(child);

  const wrong = await fetch(`${url}/security/v1/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("demo:nope").toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  expect(wrong.status).toBe(401);
  const tokenResponse = await fetch(`${url}/security/v1/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("demo:demo-secret").toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  const { access_token: bearer } = (await tokenResponse.json()) as { access_token: string };
  const subscribe = (numbers: string[]) =>
    fetch(`${url}/api/track/v1/subscription/standard/package`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, transId: "cli-test", transactionSrc: "tracklight", "content-type": "application/json" },
      body: JSON.stringify({ locale: "en_US", trackingNumberList: numbers, destination: { url: `${hook.url}/ups`, credentialType: "Bearer", credential: "k1" } }),
    });
  expect((await subscribe(["1Z999AA10123456784"])).status).toBe(400);
  expect((await subscribe(["1ZCIETST0111111114"])).status).toBe(200);
  const idle = await fetch(`${url}/__sim/deliveries/wait-idle`, { method: "POST" });
  expect(idle.status).toBe(200);
  expect(received).toEqual(["MP", "OR", "DP", "YP", "YP", "OT", "FS"].map((code) => `k1 ${code}`));
  const health = (await (await fetch(`${url}/__sim/health`)).json()) as { data: { environment: string } };
  expect(health.data.environment).toBe("cie");

  const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});
