// How the web process is started, from everywhere that starts it (npm start, the demo, the tests,
// the benchmark). package.json's "web" script repeats the flags; keep the two in step.
//
// A small young generation: at UPS's burst rates the default (~16 MB semi-spaces) made each
// scavenge a 3–10 ms pause of the acknowledgement path and pushed p99.9 past 40 ms; 2 MB
// semi-spaces scavenge in under a millisecond. Measured in docs/decisions/0006.
export const WEB_NODE_FLAGS = ["--max-semi-space-size=2"];
export const WEB_ENTRY = "server/web.mjs";
