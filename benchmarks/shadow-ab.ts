/**
 * Shadow mode's cost to the response (issue 14: "shadow mode adds ≤ 0.1 ms median"), measured as
 * interleaved A/B rounds on one running gateway: `switchyard serve` as a child process (SQLite store,
 * traces) over the replay upstream (another child) with a knn artifact over dcrouter's train split. Each
 * round runs a block with the shadow off and a block with it on (order alternating per round); the shadow
 * is started and stopped with `POST /admin/reload {"shadow": …}` before each block, and
 * `--warm-after-toggle` (1000) unmeasured requests on `--connections` follow every switch, so a fresh
 * shadow worker has loaded its artifact and warmed up (JIT) before the block is measured — what shadow
 * mode costs a deployment that runs it, not what starting it costs (`--warm-after-toggle 0` measures that
 * too: before 5 Dec this benchmark did so, and reported its +0.12–0.13 ms as the shadow's). Blocks run on
 * 1 connection and on `--connections`.
 * `--processes` measures three gateways instead — **off** (no shadow), **on** (`router.shadow.artifact`
 * in its config, the worker running since start) and **control** (a second "off": off − control is the
 * noise between processes, ≈ ±0.1 ms and ±10 % CPU on this machine, which is why one process is the default).
 * Per block: median, mean and p90 latency; the gateway's CPU time per request from /proc — the whole
 * process and each thread (the serving thread exact from schedstat) — and the serving thread's wake-ups
 * (voluntary context switches) per request; and, from `GET /admin/rollout`, how many of the block's
 * requests the shadow decided or skipped. Reported: the median over rounds of each block figure, of the
 * on/off ratio and of the on − off differences, the shadow statuses stored in the traces, and the load
 * average. The issue's bar is the 1-connection row (one client's response latency); the wider row is a
 * saturation test — there the shadow's CPU competes with the serving thread, the upstream and the load
 * generator, and the shadow samples (skips) instead.
 *
 * Run: npx tsx benchmarks/shadow-ab.ts [--rounds 10] [--requests 400] [--connections 16] [--widths 1,16]
 *      [--batch-ms 20] [--artifact A.json] [--shadow-router NAME] [--warm-after-toggle 1000 | --processes] [--idle-burner alu|memory]
 *
 * `--shadow-router NAME` trains the shadow's artifact with another router on the same split (default: the
 * shadow decides with the served artifact itself); `cheapest` (no embedding, no search) isolates what the
 * shadow's plumbing costs from what its decisions' computation costs. `--idle-burner alu|memory` adds an
 * arm: the shadow-less gateway measured while a busy loop runs at SCHED_IDLE in another process (on
 * registers, or streaming a 64 MiB array through the caches) — what any idle-priority work on the other
 * core costs the response, whatever it computes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
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
    "shadow-router": { type: "string" },
    processes: { type: "boolean", default: false },
    "warm-after-toggle": { type: "string", default: "1000" },
    "idle-burner": { type: "string" },
  },
});
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const connections = Number(values.connections);
const toggle = values.processes !== true;
const warmAfterToggle = Number(values["warm-after-toggle"]);
/** `alu`: a loop on registers; `memory`: sums a 64 MiB array, evicting the caches it shares with the gateway. */
const idleBurner = values["idle-burner"];
if (idleBurner !== undefined && idleBurner !== "alu" && idleBurner !== "memory") throw new Error("--idle-burner must be alu or memory");
const burnerSource = idleBurner === "memory" ? "const a = new Float64Array(8 << 20).fill(1); let x = 0; for (;;) for (let i = 0; i < a.length; i += 8) x += a[i];" : "let x = 0; for (;;) x = (x * 1103515245 + 12345) | 0;";
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
const shadowArtifact = values["shadow-router"] === undefined ? artifact : join(directory, "shadow.json");
if (values["shadow-router"] !== undefined) {
  process.stderr.write(`training a ${values["shadow-router"]} artifact on dcrouter train for the shadow…\n`);
  await saveRouterArtifact(shadowArtifact, await trainRouterArtifact({ examples: train, models, router: values["shadow-router"], dataset: "dcrouter", split: "train", seed: 42 }));
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

/** CPU µs (exact, schedstat) and name of every thread of a process, by thread id. */
async function threadsOf(pid: number): Promise<Map<string, { name: string; cpuUs: number }>> {
  const threads = new Map<string, { name: string; cpuUs: number }>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try {
      const name = Number(tid) === pid ? "main (serving)" : (await readFile(`/proc/${pid}/task/${tid}/comm`, "utf8")).trim();
      threads.set(tid, { name, cpuUs: Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, "utf8")).split(" ")[0]) / 1000 });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** Inter-processor interrupts so far, all CPUs (function calls — e.g. TLB flushes — and reschedules). */
async function interprocessorInterrupts(): Promise<number> {
  let total = 0;
  for (const line of (await readFile("/proc/interrupts", "utf8")).split("\n")) {
    if (!/^\s*(CAL|RES|TLB):/.test(line)) continue;
    for (const field of line.split(/\s+/).slice(2)) if (/^\d+$/.test(field)) total += Number(field);
  }
  return total;
}

const group = createChildGroup(root);
let burner: ChildProcess | undefined;
const loadBefore = loadavg();
try {
  const upstream = await group.start(process.execPath, ["--import", "tsx", "benchmarks/rollout-replay-upstream.ts", "--dataset", join(root, "../shared/data/dcrouter/dataset.jsonl")]);
  /** Starts one gateway (own store); `shadow` configures the shadow arm from the start (`router.shadow`). */
  const startGateway = async (name: string, shadow: boolean) => {
    const configPath = join(directory, `${name}.yaml`);
    const shadowSettings = { ...(values["batch-ms"] === undefined ? {} : { batchMs: Number(values["batch-ms"]) }), ...(shadow ? { artifact: shadowArtifact } : {}) };
    await writeFile(
      configPath,
      toYaml({
        server: { host: "127.0.0.1", port: 0 },
        router: { artifact, ...(Object.keys(shadowSettings).length === 0 ? {} : { shadow: shadowSettings }) },
        admin: { keyEnv: "SWITCHYARD_BENCH_ADMIN_KEY" },
        upstreams: [{ name: "replay", baseUrl: `${upstream.url}/v1` }],
        targets: prices.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
        store: { path: join(directory, `${name}.db`) },
      }),
    );
    // Started with node itself (not the tsx wrapper), so the child's pid is the gateway's.
    const started = await group.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", configPath], {
      env: { SWITCHYARD_BENCH_ADMIN_KEY: adminKey, SWITCHYARD_KEY_PEPPER: "shadow-ab-pepper-0123456789" },
    });
    return { name, url: started.url, pid: started.child.pid!, store: join(directory, `${name}.db`) };
  };
  type Gateway = Awaited<ReturnType<typeof startGateway>>;
  // Steady (default): "off" has no shadow, "on" has had its shadow since start, "control" is a second
  // "off" (off ÷ control is the run's noise). Toggle: one gateway whose shadow is started and stopped by
  // `POST /admin/reload` around every block — each "on" block then pays a fresh worker's start and warm-up.
  const gateways: Record<"off" | "on" | "control", Gateway> = toggle
    ? await (async () => {
        const one = await startGateway("toggled", false);
        return { off: one, on: one, control: one };
      })()
    : { off: await startGateway("off", false), on: await startGateway("on", true), control: await startGateway("control", false) };
  const bodies = test.map((example) => JSON.stringify({ model: "auto", messages: [{ role: "user", content: example.prompt }], max_tokens: 64 }));
  const setShadow = async (on: boolean) => {
    if (!toggle) return;
    const response = await fetch(`${gateways.on.url}/admin/reload`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ shadow: on ? shadowArtifact : null }) });
    if (response.status !== 200) throw new Error(`reload answered ${response.status}: ${await response.text()}`);
    await response.text();
  };
  const shadowCounts = async (gateway: Gateway): Promise<{ decided: number; skipped: number; failed: number }> => {
    const response = await fetch(`${gateway.url}/admin/rollout`, { headers: { authorization: `Bearer ${adminKey}` } });
    const status = (await response.json()) as { shadow: { decided: number; skipped: number; failed: number } | null };
    return status.shadow ?? { decided: 0, skipped: 0, failed: 0 };
  };
  let next = 0;
  const block = async (gateway: Gateway, width: number, count: number) => {
    const { pid } = gateway;
    const pool = new Pool(gateway.url, { connections: width, pipelining: 1, keepAliveTimeout: 60_000 });
    const latencies: number[] = [];
    let failed = 0;
    let issued = 0;
    const countsBefore = await shadowCounts(gateway);
    const processBefore = await cpuMs(`/proc/${pid}/stat`);
    const mainBefore = await threadUsage(pid, pid);
    const threadsBefore = await threadsOf(pid);
    const interruptsBefore = await interprocessorInterrupts();
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
    const interrupts = ((await interprocessorInterrupts()) - interruptsBefore) / count;
    const threads = new Map<string, number>();
    // Threads alive at the block's end (one started during it counts from 0), summed by name.
    for (const [tid, thread] of await threadsOf(pid)) threads.set(thread.name, (threads.get(thread.name) ?? 0) + (thread.cpuUs - (threadsBefore.get(tid)?.cpuUs ?? 0)) / count);
    const mainUs = (mainAfter.cpuUs - mainBefore.cpuUs) / count;
    const wakeUps = (mainAfter.wakeUps - mainBefore.wakeUps) / count;
    // Shadow decisions of this block's requests: a moment for the last batch, then the arm's counters.
    await new Promise((done) => setTimeout(done, 300));
    const countsAfter = await shadowCounts(gateway);
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
      threads,
      interrupts,
      decided: countsAfter.decided - countsBefore.decided,
      skipped: countsAfter.skipped - countsBefore.skipped,
      failed,
    };
  };
  // Warm-up: every arm gets the same requests (JIT, caches, the shadow worker's own warm-up) before any is measured.
  type Arm = "off" | "on" | "control" | "burner";
  const arms: Arm[] = toggle ? ["off", "on"] : ["off", "on", "control"];
  // `--idle-burner alu|memory`: one more arm, the "off" gateway measured while a busy loop runs at SCHED_IDLE in its
  // own process (resumed for the block, stopped otherwise) — what any idle-priority computation on the
  // other core costs the response, whatever it computes (a lower bound for a shadow that decides).
  if (idleBurner !== undefined) {
    burner = spawn("chrt", ["--idle", "0", process.execPath, "-e", burnerSource], { stdio: "ignore" });
    await new Promise((done) => setTimeout(done, 500));
    burner.kill("SIGSTOP");
    arms.push("burner");
  }
  const gatewayOf = (arm: Arm): Gateway => (arm === "burner" ? gateways.off : gateways[arm]);
  for (let pass = 0; pass < (toggle ? 1 : 3); pass++) {
    for (const arm of arms) {
      await setShadow(arm === "on");
      await block(gatewayOf(arm), connections, requests);
    }
  }
  type Block = Awaited<ReturnType<typeof block>>;
  const results: Record<number, Record<Arm, Block[]>> = {};
  for (const width of widths) results[width] = { off: [], on: [], control: [], burner: [] };
  for (let round = 0; round < rounds; round++) {
    for (const arm of round % 2 === 0 ? arms : [...arms].reverse()) {
      await setShadow(arm === "on");
      // Toggled: the same number of unmeasured requests after every switch, so a fresh shadow worker has
      // loaded and warmed up (and the switch's own work is done) before the block is measured.
      if (toggle) await block(gatewayOf(arm), connections, warmAfterToggle);
      for (const width of widths) {
        if (arm === "burner") burner?.kill("SIGCONT");
        const result = await block(gatewayOf(arm), width, width === 1 ? requests : requests * 4);
        if (arm === "burner") burner?.kill("SIGSTOP");
        results[width]![arm].push(result);
      }
    }
    const one = results[widths[0]!]!;
    process.stderr.write(`round ${round + 1}/${rounds}: ${widths[0]} connection(s) off ${one.off.at(-1)!.median.toFixed(3)} ms / on ${one.on.at(-1)!.median.toFixed(3)} ms${toggle ? "" : ` / control ${one.control.at(-1)!.median.toFixed(3)} ms`}\n`);
  }
  await setShadow(false);
  await new Promise((done) => setTimeout(done, 1500));
  const store = createSqliteStore({ path: gateways.on.store });
  const shadowStatus: Record<string, number> = {};
  // Wall time of each decision as its thread saw it: the served one on the serving thread, the shadow's on its worker.
  const servedMs: number[] = [];
  const shadowMs: number[] = [];
  for (const trace of await store.traces.list({ limit: 1_000_000 })) {
    const shadow = trace.decision?.shadow;
    if (shadow?.status !== undefined) shadowStatus[shadow.status] = (shadowStatus[shadow.status] ?? 0) + 1;
    if (shadow?.status === "decided" && shadow.decisionMs !== undefined && trace.decision !== null) {
      servedMs.push(trace.decision.decisionMs);
      shadowMs.push(shadow.decisionMs);
    }
  }
  await store.close();
  const loadAfter = loadavg();
  const median = (list: number[]) => quantile([...list].sort((a, b) => a - b), 0.5);
  const lines = [
    `Command: \`npx tsx benchmarks/shadow-ab.ts --rounds ${rounds} --requests ${requests} --connections ${connections}${values.widths === undefined ? "" : ` --widths ${values.widths}`}${values["batch-ms"] === undefined ? "" : ` --batch-ms ${values["batch-ms"]}`}${values["shadow-router"] === undefined ? "" : ` --shadow-router ${values["shadow-router"]}`}${toggle ? (warmAfterToggle === 1000 ? "" : ` --warm-after-toggle ${warmAfterToggle}`) : " --processes"}${idleBurner === undefined ? "" : ` --idle-burner ${idleBurner}`}\``,
    "",
    `| connections | shadow | median latency ms (median of ${rounds} blocks) | on/off ratio of medians | on − off median ms | on − off mean ms | on − off p90 ms | CPU µs/request, process | serving thread | serving-thread wake-ups/request | shadow decided / skipped per request | failed |`,
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const width of widths) {
    const { off, on, control } = results[width]!;
    // Per round (the two blocks of a round ran back to back), then the median over rounds.
    const ratios = on.map((result, i) => result.median / off[i]!.median);
    const differences = (key: "median" | "mean" | "p90") => median(on.map((result, i) => result[key] - off[i]![key])).toFixed(3);
    const served = (width === 1 ? requests : requests * 4) * rounds;
    if (!toggle) {
      const noise = median(off.map((result, i) => result.median - control[i]!.median));
      lines.push(`| ${width} | control (a second gateway without shadow) | ${median(control.map((r) => r.median)).toFixed(3)} | ${median(off.map((result, i) => result.median / control[i]!.median)).toFixed(3)} (off ÷ control) | ${noise.toFixed(3)} (off − control) |  |  | ${median(control.map((r) => r.processUs)).toFixed(0)} | ${median(control.map((r) => r.mainUs)).toFixed(0)} | ${median(control.map((r) => r.wakeUps)).toFixed(2)} |  | ${control.reduce((s, r) => s + r.failed, 0)} |`);
    }
    if (idleBurner !== undefined) {
      const { burner: burned } = results[width]!;
      lines.push(`| ${width} | off + a SCHED_IDLE busy loop (${idleBurner}) in another process | ${median(burned.map((r) => r.median)).toFixed(3)} | ${median(burned.map((result, i) => result.median / off[i]!.median)).toFixed(3)} (÷ off) | ${median(burned.map((result, i) => result.median - off[i]!.median)).toFixed(3)} (− off) | ${median(burned.map((result, i) => result.mean - off[i]!.mean)).toFixed(3)} | ${median(burned.map((result, i) => result.p90 - off[i]!.p90)).toFixed(3)} | ${median(burned.map((r) => r.processUs)).toFixed(0)} | ${median(burned.map((r) => r.mainUs)).toFixed(0)} | ${median(burned.map((r) => r.wakeUps)).toFixed(2)} |  | ${burned.reduce((s, r) => s + r.failed, 0)} |`);
    }
    for (const [name, list] of [["off", off], ["on", on]] as const) {
      const isOn = name === "on";
      const shadowShare = `${(list.reduce((s, r) => s + r.decided, 0) / served).toFixed(3)} / ${(list.reduce((s, r) => s + r.skipped, 0) / served).toFixed(3)}`;
      lines.push(
        `| ${width} | ${name} | ${median(list.map((r) => r.median)).toFixed(3)} | ${isOn ? median(ratios).toFixed(3) : ""} | ${isOn ? differences("median") : ""} | ${isOn ? differences("mean") : ""} | ${isOn ? differences("p90") : ""} | ${median(list.map((r) => r.processUs)).toFixed(0)} | ${median(list.map((r) => r.mainUs)).toFixed(0)} | ${median(list.map((r) => r.wakeUps)).toFixed(2)} | ${isOn ? shadowShare : ""} | ${list.reduce((s, r) => s + r.failed, 0)} |`,
      );
    }
  }
  // CPU per request of the gateway's threads: the serving thread, and the others summed by name (Node's
  // worker threads — the shadow's, tsx's module-hooks thread under the sources — are all called `node`).
  lines.push("", "| connections | thread | CPU µs/request, shadow off | shadow on |", "|---|---|---|---|");
  for (const width of widths) {
    const { off, on } = results[width]!;
    const names = new Set([...off, ...on].flatMap((result) => [...result.threads.keys()]));
    for (const name of [...names].sort()) {
      const of = (list: Block[]) => median(list.map((result) => result.threads.get(name) ?? 0));
      if (of(off) < 1 && of(on) < 1) continue;
      lines.push(`| ${width} | ${name} | ${of(off).toFixed(0)} | ${of(on).toFixed(0)} |`);
    }
  }
  lines.push("", `inter-processor interrupts (machine-wide CAL + RES + TLB of /proc/interrupts) per request, median of blocks: ${widths.map((width) => (toggle ? ["off", "on"] : ["off", "on", "control", ...(idleBurner === undefined ? [] : ["burner"])]).map((arm) => `${width} connection(s) ${arm} ${median(results[width]![arm as "off"].map((r) => r.interrupts)).toFixed(2)}`).join(", ")).join("; ")}`);
  const one = results[1];
  if (one !== undefined) {
    const added = median(one.on.map((result, i) => result.median - one.off[i]!.median));
    lines.push("", `bar: shadow mode adds ≤ 0.1 ms median to the response at 1 connection: added ${added.toFixed(3)} ms → ${added <= 0.1 ? "met" : "not met"} (on this run's machine and load)`);
  }
  lines.push(
    "",
    `load average before ${loadBefore.map((x) => x.toFixed(2)).join(" / ")}, after ${loadAfter.map((x) => x.toFixed(2)).join(" / ")} (2 cores); shadow records in the traces: ${Object.entries(shadowStatus).map(([status, count]) => `${status} ${count}`).join(", ")}`,
    `decision wall time in the "on" gateway's traces, median / p90 ms: served (serving thread) ${quantile([...servedMs].sort((a, b) => a - b), 0.5).toFixed(3)} / ${quantile([...servedMs].sort((a, b) => a - b), 0.9).toFixed(3)}, shadow (its worker) ${quantile([...shadowMs].sort((a, b) => a - b), 0.5).toFixed(3)} / ${quantile([...shadowMs].sort((a, b) => a - b), 0.9).toFixed(3)}`,
  );
  console.log(lines.join("\n"));
} finally {
  burner?.kill("SIGKILL");
  group.stopAll();
  await new Promise((done) => setTimeout(done, 500));
  await rm(directory, { recursive: true, force: true });
}
