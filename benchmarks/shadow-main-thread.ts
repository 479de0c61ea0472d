/**
 * What shadow mode costs the gateway's event loop (the thread that serves every response): for each routed
 * request the main thread posts the query to the shadow worker and later reads its answer; the shadow's
 * embedding and kNN search run on the worker. Measured with `performance.eventLoopUtilization()` (the
 * main thread's own active time) over N shadow decisions, against the time the same artifact's decision
 * takes when made on the main thread (what an in-thread shadow would cost every response).
 *
 * `--burst 1 --pace-ms 1` is one connection's pattern (one routed request per turn, a millisecond apart);
 * `--batch-ms` is the arm's `batchMs` (default 20; 0 = one message per event-loop turn).
 *
 * Run: npx tsx benchmarks/shadow-main-thread.ts [--requests 2000] [--burst 16] [--pace-ms 0] [--batch-ms 20] [--artifact FILE]
 *      (default: trains knn on dcrouter train)
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { createRoutingEngine } from "../src/core/create-routing-engine.js";
import { startShadowArm } from "../src/rollout/shadow-arm.js";
import { loadVersionedArtifact } from "../src/rollout/versioned-artifact.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import { loadBenchmarkSplits } from "./benchmark-sets.js";
import { quantile } from "./gateway-load.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    artifact: { type: "string" },
    burst: { type: "string", default: "16" },
    "pace-ms": { type: "string", default: "0" },
    "batch-ms": { type: "string", default: "20" },
    // The same loop with no shadow decision: what the pacing itself costs the thread.
    "no-shadow": { type: "boolean", default: false },
  },
});
const burst = Number(values.burst);
const paceMs = Number(values["pace-ms"]);
const batchMs = Number(values["batch-ms"]);
const requests = Number(values.requests);
const { train, test, models } = await loadBenchmarkSplits("dcrouter", 42);
const directory = await mkdtemp(join(tmpdir(), "switchyard-shadow-bench-"));
let path = values.artifact;
if (path === undefined) {
  path = join(directory, "router.json");
  await saveRouterArtifact(path, await trainRouterArtifact({ examples: train, models, router: "knn", dataset: "dcrouter", split: "train", seed: 42 }));
}
const prices = (JSON.parse(await readFile(new URL("../../shared/data/dcrouter/models.json", import.meta.url), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> }).models;
const targets = prices.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok, contextWindow: 128_000 }));
const queries = test.map((example) => ({ messages: [{ role: "user" as const, content: example.prompt }] }));

// In-thread decisions: what the same decision costs the thread that makes it.
const engine = await createRoutingEngine({ artifact: (await loadVersionedArtifact(path)).artifact, targets });
for (let i = 0; i < 200; i++) await engine.decide(queries[i % queries.length]!);
const inThread: number[] = [];
for (let i = 0; i < requests; i++) {
  const begun = performance.now();
  await engine.decide(queries[i % queries.length]!);
  inThread.push(performance.now() - begun);
}
inThread.sort((a, b) => a - b);

const arm = await startShadowArm({ path, targets, batchMs });
const waitFor = async (records: Array<{ status: string }>) => {
  while (records.some((record) => record.status === "pending")) await new Promise((done) => setTimeout(done, 5));
};
await waitFor(Array.from({ length: 200 }, (_, i) => arm.decide(queries[i % queries.length]!, undefined)));
// Posted in bursts of 16 (64 connections' worth of routed requests arriving in one turn), one burst per
// turn, waiting only when 512 are in flight; the wait polls every 50 ms from the oldest pending record
// (the worker answers in order), so the measurement's own polling stays small against the shadow's cost.
const posting: number[] = [];
// CPU time of this (the serving) thread in ns, from the scheduler: exact, unlike event-loop utilisation,
// which counts every wake-up of a busy machine as active time.
const threadCpuNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]);
// Each voluntary context switch is the thread going to sleep and being woken again.
const wakeUps = () => Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${process.pid}/status`, "utf8"))?.[1]);
const messagesBefore = { ...arm.messages };
const wakeUpsBefore = wakeUps();
const cpuBefore = threadCpuNs();
const before = performance.eventLoopUtilization();
const wallBegun = performance.now();
const records: Array<{ status: string }> = [];
let oldest = 0;
const settleUntil = async (inFlight: number) => {
  for (;;) {
    while (oldest < records.length && records[oldest]!.status !== "pending") oldest++;
    if (records.length - oldest <= inFlight) return;
    await new Promise((done) => setTimeout(done, 50));
  }
};
for (let sent = 0; sent < requests; sent += burst) {
  for (let i = sent; i < Math.min(requests, sent + burst); i++) {
    const begun = performance.now();
    if (!values["no-shadow"]) records.push(arm.decide(queries[i % queries.length]!, undefined));
    posting.push(performance.now() - begun);
  }
  if (paceMs > 0) await new Promise((done) => setTimeout(done, paceMs));
  else await new Promise((done) => setImmediate(done));
  await settleUntil(512);
}
await settleUntil(0);
const failedDecisions = records.filter((record) => record.status === "failed").length;
const wallMs = performance.now() - wallBegun;
const used = performance.eventLoopUtilization(before);
const cpuUsPerDecision = (threadCpuNs() - cpuBefore) / 1000 / requests;
const wakeUpsPerDecision = (wakeUps() - wakeUpsBefore) / requests;
const sent = arm.messages.sent - messagesBefore.sent;
const received = arm.messages.received - messagesBefore.received;
await arm.close();
await rm(directory, { recursive: true, force: true });
posting.sort((a, b) => a - b);
// Active time includes the polling timers of this measurement itself, so it over-states the cost.
const mainThreadMsPerDecision = used.active / requests;
console.log("## Shadow mode: cost on the serving thread (dcrouter knn artifact)");
console.log("");
console.log(`Command: \`npx tsx benchmarks/shadow-main-thread.ts --requests ${requests} --burst ${burst} --pace-ms ${paceMs} --batch-ms ${batchMs}${values["no-shadow"] ? " --no-shadow" : ""}\``);
console.log("");
console.log("| | median ms | p99 ms |");
console.log("|---|---|---|");
console.log(`| decision on the serving thread (embedding + kNN + objective) | ${quantile(inThread, 0.5).toFixed(3)} | ${quantile(inThread, 0.99).toFixed(3)} |`);
console.log(`| shadow: posting the query to the worker (per request) | ${quantile(posting, 0.5).toFixed(4)} | ${quantile(posting, 0.99).toFixed(4)} |`);
console.log("");
console.log(`serving-thread active time per shadow decision (post + reading the answer, event-loop utilisation over ${requests}): ${(mainThreadMsPerDecision * 1000).toFixed(1)} µs; serving-thread CPU per shadow decision (scheduler, /proc/self/task/<pid>/schedstat): ${cpuUsPerDecision.toFixed(1)} µs (includes the pacing timers); serving-thread wake-ups per decision ${wakeUpsPerDecision.toFixed(2)}; messages to the worker ${sent}, from it ${received} (${((sent + received) / requests).toFixed(3)} per decision); ${failedDecisions} decisions failed (backlog); wall ${wallMs.toFixed(0)} ms for ${requests} shadow decisions on the worker`);
