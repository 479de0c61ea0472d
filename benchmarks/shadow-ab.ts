/**
 * Shadow mode's cost to the response (issue 14: "shadow mode adds ≤ 0.1 ms median"), measured as
 * interleaved A/B rounds on one running gateway: `switchyard serve` as a child process (SQLite store,
 * traces) over the replay upstream (another child) with a knn artifact over dcrouter's train split;
 * each round runs a block with the shadow off and a block with it on (order alternating per round, the
 * shadow toggled with `POST /admin/reload {"shadow": …}`), on 1 connection and on `--connections`.
 * Per block: median latency, and the gateway's CPU time per request from /proc — the whole process
 * (serving thread + shadow worker + the rest) and the serving (main) thread alone. Reported: the median
 * over rounds of each block figure, the median over rounds of the on/off ratio and of the on − off
 * difference of medians, and the load average (the machine is shared; ratios of interleaved rounds are
 * what stays meaningful under load).
 *
 * Run: npx tsx benchmarks/shadow-ab.ts [--rounds 10] [--requests 400] [--connections 16] [--artifact A.json]
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

/** CPU ms (user + system) of a process, or of one of its threads. */
async function cpuMs(path: string): Promise<number> {
  const fields = (await readFile(path, "utf8")).replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
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
      router: { artifact },
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
  let next = 0;
  const block = async (width: number, count: number) => {
    const pool = new Pool(gateway.url, { connections: width, pipelining: 1, keepAliveTimeout: 60_000 });
    const latencies: number[] = [];
    let failed = 0;
    let issued = 0;
    const processBefore = await cpuMs(`/proc/${pid}/stat`);
    const mainBefore = await cpuMs(`/proc/${pid}/task/${pid}/stat`);
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
    const mainUs = ((await cpuMs(`/proc/${pid}/task/${pid}/stat`)) - mainBefore) * 1000 / count;
    await pool.close();
    latencies.sort((a, b) => a - b);
    return { median: quantile(latencies, 0.5), processUs, mainUs, failed };
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
    `Command: \`npx tsx benchmarks/shadow-ab.ts --rounds ${rounds} --requests ${requests} --connections ${connections}\``,
    "",
    `| connections | shadow | median latency ms (median of ${rounds} blocks) | on/off ratio (median of rounds) | on − off ms (median of rounds) | CPU µs/request, process | serving thread | failed |`,
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const width of widths) {
    const { off, on } = results[width]!;
    const ratios = on.map((result, i) => result.median / off[i]!.median);
    const differences = on.map((result, i) => result.median - off[i]!.median);
    for (const [name, list] of [["off", off], ["on", on]] as const) {
      const isOn = name === "on";
      lines.push(
        `| ${width} | ${name} | ${median(list.map((r) => r.median)).toFixed(3)} | ${isOn ? median(ratios).toFixed(3) : ""} | ${isOn ? median(differences).toFixed(3) : ""} | ${median(list.map((r) => r.processUs)).toFixed(0)} | ${median(list.map((r) => r.mainUs)).toFixed(0)} | ${list.reduce((s, r) => s + r.failed, 0)} |`,
      );
    }
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
