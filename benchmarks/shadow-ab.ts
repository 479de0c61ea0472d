/**
 * Shadow mode's cost to the response (issue 14: "shadow mode adds ≤ 0.1 ms median"), measured as
 * interleaved A/B rounds on one running gateway: `switchyard serve` as a child process (SQLite store,
 * traces) over the replay upstream (another child) with a knn artifact over dcrouter's train split;
 * each round runs a block with the shadow off and a block with it on (order alternating per round, the
 * shadow toggled with `POST /admin/reload {"shadow": …}`), on 1 connection and on `--connections`.
 * Per block: median, mean and p90 latency; the gateway's CPU time per request from /proc — the whole
 * process (serving thread + shadow worker + the rest) and the serving (main) thread alone, exact from
 * schedstat — and the serving thread's wake-ups (voluntary context switches) per request; and, from
 * `GET /admin/rollout`, how many of the block's requests the shadow decided or skipped. Reported: the
 * median over rounds of each block figure, of the on/off ratio and of the on − off differences, the
 * shadow statuses stored in the traces, and the load average (the machine is shared; differences of
 * interleaved rounds are what stays meaningful under load). The issue's bar is the 1-connection row (one
 * client's response latency); the wider row is a saturation test — there the shadow's CPU competes with
 * the serving thread, the upstream and the load generator, and the shadow samples (skips) instead.
 *
 * Run: npx tsx benchmarks/shadow-ab.ts [--rounds 10] [--requests 400] [--connections 16] [--widths 1,16]
 *      [--batch-ms 20] [--artifact A.json]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { createSqliteStore } from "../src/stores/sqlite/sqlite-store.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import { loadBenchmarkSplits } from "./benchmark-sets.js";
import { createChildGroup } from "./gateway-children.js";
import { quantile } from "./gateway-load.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    requests: { type: "string", default: "400" },
    connections: { type: "string", default: "16" },
    artifact: { type: "string" },
    widths: { type: "string" },
    "batch-ms": { type: "string" },
  },
});
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const connections = Number(values.connections);
const widths = values.widths === undefined ? [1, connections] : values.widths.split(",").map(Number);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const adminKey = "shadow-ab-benchmark-admin-key-0123456789";
const { train, test, models } = await loadBenchmarkSplits("dcrouter", 42);
const directory = await mkdtemp(join(tmpdir(), "switchyard-shadow-ab-"));
const artifact = values.artifact ?? join(directory, "router.json");
if (values.artifact === undefined) {
  process.stderr.write("training a knn artifact on dcrouter train…\n");
  await saveRouterArtifact(artifact, await trainRouterArtifact({ examples: train, models, router: "knn", dataset: "dcrouter", split: "train", seed: 42 }));
}
const prices = (JSON.parse(await readFile(join(root, "../shared/data/dcrouter/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> }).models;

/** CPU ms (user + system) of a process, or of one of its threads (10 ms ticks). */
async function cpuMs(path: string): Promise<number> {
  const fields = (await readFile(path, "utf8")).replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A thread's CPU time in µs, exact (schedstat, ns), and its voluntary context switches (each a wake-up). */
async function threadUsage(pid: number, tid: number): Promise<{ cpuUs: number; wakeUps: number }> {
  const schedstat = await readFile(`/proc/${pid}/task/${tid}/schedstat`, "utf8");
  const status = await readFile(`/proc/${pid}/task/${tid}/status`, "utf8");
  return { cpuUs: Number(schedstat.split(" ")[0]) / 1000, wakeUps: Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) };
}

const group = createChildGroup(root);
const loadBefore = loadavg();
try {
  const upstream = await group.start(process.execPath, ["--import", "tsx", "benchmarks/rollout-replay-upstream.ts", "--dataset", join(root, "../shared/data/dcrouter/dataset.jsonl")]);
  const configPath = join(directory, "switchyard.yaml");
  await writeFile(
    configPath,
    toYaml({
      server: { host: "127.0.0.1", port: 0 },
      router: { artifact, ...(values["batch-ms"] === undefined ? {} : { shadow: { batchMs: Number(values["batch-ms"]) } }) },
      admin: { keyEnv: "SWITCHYARD_BENCH_ADMIN_KEY" },
      upstreams: [{ name: "replay", baseUrl: `${upstream.url}/v1` }],
      targets: prices.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
      store: { path: join(directory, "switchyard.db") },
    }),
  );
  // Started with node itself (not the tsx wrapper), so the child's pid is the gateway's.
  const gateway = await group.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", configPath], {
    env: { SWITCHYARD_BENCH_ADMIN_KEY: adminKey, SWITCHYARD_KEY_PEPPER: "shadow-ab-pepper-0123456789" },
  });
  const pid = gateway.child.pid!;
  const bodies = test.map((example) => JSON.stringify({ model: "auto", messages: [{ role: "user", content: example.prompt }], max_tokens: 64 }));
  const setShadow = async (on: boolean) => {
    const response = await fetch(`${gateway.url}/admin/reload`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ shadow: on ? artifact : null }) });
    if (response.status !== 200) throw new Error(`reload answered ${response.status}: ${await response.text()}`);
    await response.text();
  };
  const shadowCounts = async (): Promise<{ decided: number; skipped: number; failed: number }> => {
    const response = await fetch(`${gateway.url}/admin/rollout`, { headers: { authorization: `Bearer ${adminKey}` } });
    const status = (await response.json()) as { shadow: { decided: number; skipped: number; failed: number } | null };
    return status.shadow ?? { decided: 0, skipped: 0, failed: 0 };
  };
  let next = 0;
  const block = async (width: number, count: number) => {
    const pool = new Pool(gateway.url, { connections: width, pipelining: 1, keepAliveTimeout: 60_000 });
    const latencies: number[] = [];
    let failed = 0;
    let issued = 0;
    const countsBefore = await shadowCounts();
    const processBefore = await cpuMs(`/proc/${pid}/stat`);
    const mainBefore = await threadUsage(pid, pid);
    const worker = async () => {
      while (issued++ < count) {
        const begun = performance.now();
        const response = await pool.request({ path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json" }, body: bodies[next++ % bodies.length]! });
        await response.body.text();
        if (response.statusCode === 200) latencies.push(performance.now() - begun);
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: width }, worker));
    const processUs = ((await cpuMs(`/proc/${pid}/stat`)) - processBefore) * 1000 / count;
    const mainAfter = await threadUsage(pid, pid);
    const mainUs = (mainAfter.cpuUs - mainBefore.cpuUs) / count;
    const wakeUps = (mainAfter.wakeUps - mainBefore.wakeUps) / count;
    // Shadow decisions of this block's requests: a moment for the last batch, then the arm's counters.
    await new Promise((done) => setTimeout(done, 300));
    const countsAfter = await shadowCounts();
    await pool.close();
    latencies.sort((a, b) => a - b);
    const mean = latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, latencies.length);
    return {
      median: quantile(latencies, 0.5),
      mean,
      p90: quantile(latencies, 0.9),
      processUs,
      mainUs,
      wakeUps,
      decided: countsAfter.decided - countsBefore.decided,
      skipped: countsAfter.skipped - countsBefore.skipped,
      failed,
    };
  };
  // Warm-up with the shadow on and off.
  for (const on of [true, false]) {
    await setShadow(on);
    await block(connections, requests);
  }
  type Block = Awaited<ReturnType<typeof block>>;
  const results = { 1: { off: [] as Block[], on: [] as Block[] }, [connections]: { off: [] as Block[], on: [] as Block[] } } as Record<number, { off: Block[]; on: Block[] }>;
  for (let round = 0; round < rounds; round++) {
    for (const on of round % 2 === 0 ? [false, true] : [true, false]) {
      await setShadow(on);
      for (const width of widths) {
        const result = await block(width, width === 1 ? requests : requests * 4);
        results[width]![on ? "on" : "off"].push(result);
      }
    }
    const one = results[1]!;
    process.stderr.write(`round ${round + 1}/${rounds}: 1 connection off ${one.off.at(-1)!.median.toFixed(3)} ms / on ${one.on.at(-1)!.median.toFixed(3)} ms\n`);
  }
  await setShadow(false);
  await new Promise((done) => setTimeout(done, 1500));
  const store = createSqliteStore({ path: join(directory, "switchyard.db") });
  const shadowStatus: Record<string, number> = {};
  for (const trace of await store.traces.list({ limit: 1_000_000 })) {
    const status = trace.decision?.shadow?.status;
    if (status !== undefined) shadowStatus[status] = (shadowStatus[status] ?? 0) + 1;
  }
  await store.close();
  const loadAfter = loadavg();
  const median = (list: number[]) => quantile([...list].sort((a, b) => a - b), 0.5);
  const lines = [
    `Command: \`npx tsx benchmarks/shadow-ab.ts --rounds ${rounds} --requests ${requests} --connections ${connections}${values.widths === undefined ? "" : ` --widths ${values.widths}`}${values["batch-ms"] === undefined ? "" : ` --batch-ms ${values["batch-ms"]}`}\``,
    "",
    `| connections | shadow | median latency ms (median of ${rounds} blocks) | on/off ratio of medians | on − off median ms | on − off mean ms | on − off p90 ms | CPU µs/request, process | serving thread | serving-thread wake-ups/request | shadow decided / skipped per request | failed |`,
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const width of widths) {
    const { off, on } = results[width]!;
    // Per round (the two blocks of a round ran back to back), then the median over rounds.
    const ratios = on.map((result, i) => result.median / off[i]!.median);
    const differences = (key: "median" | "mean" | "p90") => median(on.map((result, i) => result[key] - off[i]![key])).toFixed(3);
    const served = (width === 1 ? requests : requests * 4) * rounds;
    for (const [name, list] of [["off", off], ["on", on]] as const) {
      const isOn = name === "on";
      const shadowShare = `${(list.reduce((s, r) => s + r.decided, 0) / served).toFixed(3)} / ${(list.reduce((s, r) => s + r.skipped, 0) / served).toFixed(3)}`;
      lines.push(
        `| ${width} | ${name} | ${median(list.map((r) => r.median)).toFixed(3)} | ${isOn ? median(ratios).toFixed(3) : ""} | ${isOn ? differences("median") : ""} | ${isOn ? differences("mean") : ""} | ${isOn ? differences("p90") : ""} | ${median(list.map((r) => r.processUs)).toFixed(0)} | ${median(list.map((r) => r.mainUs)).toFixed(0)} | ${median(list.map((r) => r.wakeUps)).toFixed(2)} | ${isOn ? shadowShare : ""} | ${list.reduce((s, r) => s + r.failed, 0)} |`,
      );
    }
  }
  const one = results[1];
  if (one !== undefined) {
    const added = median(one.on.map((result, i) => result.median - one.off[i]!.median));
    lines.push("", `bar: shadow mode adds ≤ 0.1 ms median to the response at 1 connection: added ${added.toFixed(3)} ms → ${added <= 0.1 ? "met" : "not met"} (on this run's machine and load)`);
  }
  lines.push(
    "",
    `load average before ${loadBefore.map((x) => x.toFixed(2)).join(" / ")}, after ${loadAfter.map((x) => x.toFixed(2)).join(" / ")} (2 cores, shared with other agents); shadow records in the traces: ${Object.entries(shadowStatus).map(([status, count]) => `${status} ${count}`).join(", ")}`,
  );
  console.log(lines.join("\n"));
} finally {
  group.stopAll();
  await new Promise((done) => setTimeout(done, 500));
  await rm(directory, { recursive: true, force: true });
}
