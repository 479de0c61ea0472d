/**
 * A/B of the gateway's added latency and throughput against another checkout of Switchyard (e.g. the
 * commit before a change), in the same run: both run exactly as `switchyard serve` does (SQLite store,
 * traces, metrics, request logs; `gateway-switchyard-server.ts` of each checkout), open and with an API
 * key + budget, over the same fast upstream; rounds interleave the systems (and alternate which goes
 * first) so a shared machine's noise spreads evenly; figures are medians over rounds.
 *
 *   git archive <commit> | tar -x -C /tmp/baseline && ln -s "$PWD/node_modules" /tmp/baseline/node_modules
 *   npx tsx benchmarks/gateway-ab.ts --baseline /tmp/baseline [--rounds 5] [--requests-1 2000] [--requests-64 10000] [--only 1|64]
 *
 * `--only 1` (or 64) runs only the scenarios at that many connections.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import { createChildGroup } from "./gateway-children.js";
import { quantile, runLoad, type LoadResult } from "./gateway-load.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const baselineIndex = process.argv.indexOf("--baseline");
if (baselineIndex < 0) throw new Error("usage: gateway-ab.ts --baseline DIR");
const baseline = resolve(process.argv[baselineIndex + 1] as string);
const rounds = option("--rounds", 5);
const requestsAt = { 1: option("--requests-1", 2_000), 64: option("--requests-64", 10_000) } as const;
const children = createChildGroup(root);

async function cpuMs(pid: number | undefined): Promise<number> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const directory = await mkdtemp(join(tmpdir(), "switchyard-ab-"));
const dataset = await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"));
const prompt = dataset.examples.find((example) => example.split === "test")?.prompt.slice(0, 400) ?? "What is 2 + 2?";
await saveRouterArtifact(join(directory, "router.json"), await trainRouterArtifact({ examples: dataset.examples.filter((example) => example.split === "train"), models: dataset.models, router: "knn", dataset: "demo", split: "train", params: { k: 10, power: 1, priorWeight: 1 } }));
const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
const fixedModel = prices.models[0]?.id as string;
const upstream = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-upstream.ts"]);
const pepper = "ab-pepper-0123456789abcdef";

async function startSystem(name: string, checkout: string, withKey: boolean) {
  const file = name.replace(/[^a-z0-9]+/g, "-");
  const path = join(directory, `${file}.yaml`);
  await writeFile(path, toYaml({ server: { host: "127.0.0.1", port: 0 }, router: { artifact: "./router.json" }, upstreams: [{ name: "bench", baseUrl: `${upstream.url}/v1` }], targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })), store: { path: `./${file}/switchyard.db` } }));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (withKey) {
    // The key is created by the checkout's own code (its store schema may differ).
    const module = (path: string) => import(pathToFileURL(join(checkout, path)).href);
    const { createSqliteStore } = (await module("src/stores/sqlite/sqlite-store.ts")) as typeof import("../src/stores/sqlite/sqlite-store.js");
    const { createApiKeyService } = (await module("src/limits/api-key-service.ts")) as typeof import("../src/limits/api-key-service.js");
    const { createApiKeyHasher } = (await module("src/limits/api-key-hasher.ts")) as typeof import("../src/limits/api-key-hasher.js");
    const store = createSqliteStore({ path: join(directory, file, "switchyard.db") });
    const { key } = await createApiKeyService({ store, hasher: createApiKeyHasher(pepper) }).create({ name: "bench", budgetUsd: 1_000_000, budgetPeriod: "month" });
    await store.close();
    headers.authorization = `Bearer ${key}`;
  }
  const started = await children.start(process.execPath, ["--import", "tsx", join(checkout, "benchmarks/gateway-switchyard-server.ts"), "--config", path], { env: { SWITCHYARD_KEY_PEPPER: pepper }, cwd: checkout });
  return { name, url: started.url, headers, pid: started.child.pid };
}

const systems = [
  await startSystem("baseline", baseline, false),
  await startSystem("this checkout", root, false),
  await startSystem("baseline, API key + budget", baseline, true),
  await startSystem("this checkout, API key + budget", root, true),
];
const onlyIndex = process.argv.indexOf("--only");
const onlyConcurrency = onlyIndex >= 0 ? Number(process.argv[onlyIndex + 1]) : undefined;
const allScenarios = [
  { name: "non-streamed, 1 connection", concurrency: 1 as const, stream: false, keyless: false },
  { name: "streamed (time to first byte), 1 connection", concurrency: 1 as const, stream: true, keyless: false },
  { name: "non-streamed, 64 connections", concurrency: 64 as const, stream: false, keyless: false },
  { name: "streamed (time to first byte), 64 connections", concurrency: 64 as const, stream: true, keyless: false },
  // A flood without a key against the gateways that have keys: what refusing one costs (answers are 401).
  { name: "no key (401), 64 connections", concurrency: 64 as const, stream: false, keyless: true },
];
const scenarios = allScenarios.filter((scenario) => onlyConcurrency === undefined || scenario.concurrency === onlyConcurrency);
const loadAtStart = loadavg();
const results = new Map<string, Array<{ result: LoadResult; cpuUs: number }>>();
for (let round = 0; round < rounds; round++) {
  for (const scenario of scenarios) {
    const order = (round % 2 === 0 ? systems : [...systems].reverse()).filter((system) => !scenario.keyless || system.headers.authorization !== undefined);
    for (const system of order) {
      const headers = scenario.keyless ? { "content-type": "application/json" } : system.headers;
      const body = JSON.stringify({ model: fixedModel, messages: [{ role: "user", content: prompt }], ...(scenario.stream ? { stream: true } : {}) });
      const warmup = scenario.concurrency === 1 ? 200 : 1_000;
      const cpuBefore = await cpuMs(system.pid);
      const result = await runLoad({ url: system.url, path: "/v1/chat/completions", headers, body, concurrency: scenario.concurrency, requests: requestsAt[scenario.concurrency], warmup, firstByte: scenario.stream, expectStatus: scenario.keyless ? 401 : 200 });
      const cpuUs = (1000 * ((await cpuMs(system.pid)) - cpuBefore)) / (requestsAt[scenario.concurrency] + warmup);
      const key = `${system.name}|${scenario.name}`;
      results.set(key, [...(results.get(key) ?? []), { result, cpuUs }]);
      process.stderr.write(`round ${round + 1}/${rounds} ${scenario.name} ${system.name}: p50 ${quantile(result.latenciesMs, 0.5).toFixed(3)} ms, ${result.requestsPerSecond.toFixed(0)} req/s, ${cpuUs.toFixed(0)} µs CPU, ${result.errors} errors\n`);
    }
  }
}
children.stopAll();

const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);
const load = (values: number[]) => values.map((value) => value.toFixed(1)).join(" ");
console.log(`gateway A/B — ${rounds} interleaved rounds, ${requestsAt[1]} requests per run at 1 connection, ${requestsAt[64]} at 64; baseline ${baseline}; Node ${process.version}; load average ${load(loadAtStart)} at the start, ${load(loadavg())} at the end`);
// Ratios within each round (the two systems measured back to back), then their median over rounds: the
// figure least moved by a shared machine's load, CPU per request first.
console.log("\n### this checkout ÷ baseline, median over rounds of each round's ratio\n");
// The least CPU per request a system needed in any round: contention only ever adds CPU time (cache and
// frequency effects of other jobs), so the minimum is the figure closest to a quiet machine's.
console.log("| path | CPU µs/request | least CPU µs/request (baseline → this) | median latency | p99 latency | req/s |");
console.log("|---|---|---|---|---|---|");
for (const scenario of scenarios) {
  for (const variant of scenario.keyless ? [", API key + budget"] : ["", ", API key + budget"]) {
    const ours = results.get(`this checkout${variant}|${scenario.name}`) ?? [];
    const theirs = results.get(`baseline${variant}|${scenario.name}`) ?? [];
    const ratios = (of: (run: { result: LoadResult; cpuUs: number }) => number) => median(ours.map((run, index) => of(run) / of(theirs[index] as { result: LoadResult; cpuUs: number })));
    const percent = (ratio: number) => `${ratio.toFixed(3)} (${ratio >= 1 ? "+" : "−"}${Math.abs((ratio - 1) * 100).toFixed(1)} %)`;
    const least = (runs: Array<{ cpuUs: number }>) => Math.min(...runs.map((run) => run.cpuUs));
    console.log(`| ${scenario.name}${scenario.keyless ? "" : variant} | ${percent(ratios((run) => run.cpuUs))} | ${least(theirs).toFixed(0)} → ${least(ours).toFixed(0)} (${percent(least(ours) / least(theirs))}) | ${percent(ratios((run) => quantile(run.result.latenciesMs, 0.5)))} | ${percent(ratios((run) => quantile(run.result.latenciesMs, 0.99)))} | ${percent(ratios((run) => run.result.requestsPerSecond))} |`);
  }
}
for (const scenario of scenarios) {
  console.log(`\n### ${scenario.name}\n`);
  console.log("| system | median ms | p99 ms | req/s | gateway CPU µs/request | errors |");
  console.log("|---|---|---|---|---|---|");
  for (const system of systems) {
    const runs = results.get(`${system.name}|${scenario.name}`) ?? [];
    if (runs.length === 0) continue;
    console.log(
      `| ${system.name} | ${median(runs.map((run) => quantile(run.result.latenciesMs, 0.5))).toFixed(3)} | ${median(runs.map((run) => quantile(run.result.latenciesMs, 0.99))).toFixed(3)} | ${median(runs.map((run) => run.result.requestsPerSecond)).toFixed(0)} | ${median(runs.map((run) => run.cpuUs)).toFixed(0)} | ${runs.reduce((sum, run) => sum + run.result.errors, 0)} |`,
    );
  }
}
