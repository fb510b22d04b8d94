// `npm start` (after `npm run db:migrate`, which `npm start` runs first): the web server and one
// worker, as two processes. Signals are passed on; if either process dies, the other is stopped
// and the exit code is passed on, so a supervisor (systemd, a container runtime) restarts both.
// Larger deployments run `npm run web` and `npm run worker` separately, with as many workers as needed.
import { spawn } from "node:child_process";
import { WEB_ENTRY, WEB_NODE_FLAGS } from "../server/web-process.mjs";

const processes = [
  spawn(process.execPath, [...WEB_NODE_FLAGS, WEB_ENTRY], { stdio: "inherit" }),
  spawn(process.execPath, ["--import", "tsx", "server/worker.ts"], { stdio: "inherit" }),
];

let exiting = false;
function stopAll(signal) {
  for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
for (const child of processes) {
  child.on("exit", (code, signal) => {
    if (!exiting) {
      exiting = true;
      process.exitCode = code ?? (signal ? 1 : 0);
      stopAll("SIGTERM");
    }
  });
}
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    exiting = true;
    stopAll(signal);
  });
}
