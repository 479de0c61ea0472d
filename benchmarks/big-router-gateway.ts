/**
 * The real gateway serving a large kNN router (issue 19): start-up, peak memory and the engine's decision
 * time, measured on the gateway process itself. Starts the loopback upstream and `switchyard serve` (as
 * gateway-switchyard-server.ts does) on the cached replicated-prompt artifact in the binary form, then:
 * wall time to ready, the process's peak RSS (VmHWM in /proc/PID/status) after load and after the
 * requests, `--requests` sequential `model: "auto"` requests with dcrouter's test prompts (decision time
 * from the `x-switchyard-decision-ms` header, p50/p99), and the server's CPU per request.
 *
 *   npx tsx benchmarks/big-router-gateway.ts [--count 100000] [--requests 1000] [--compiled]
 *
 * `--compiled` runs the gateway from the compiled package (`dist/`, run `npm run build` first) under plain
 * Node, as the published `switchyard serve` runs — without tsx's loader, whose module-hooks thread and
 * transpiled-source caches the default (from the sources, under tsx) also counts in the process's RSS.
 *
 * Bounded: one gateway, `--requests` requests (default 1,000) on one connection.
 */
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify as toYaml } from "yaml";
import { createChildGroup } from "./gateway-children.js";
import { dcrouterTargets, dcrouterTestPrompts, scaledKnnArtifact } from "./routing-bench-artifacts.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { count: { type: "string", default: "100000" }, requests: { type: "string", default: "1000" }, compiled: { type: "boolean", default: false } } });
const compiled = values.compiled === true;
const compiledEntry = join(root, "dist/gateway/start-gateway-from-config.js");
const count = Number(values.count);
const requests = Math.min(20_000, Number(values.requests));
const log = (line: string) => process.stderr.write(`${line}\n`);
const artifact = await scaledKnnArtifact({ root, count, log, format: "binary" });
const directory = await mkdtemp(join(tmpdir(), "switchyard-big-gateway-"));
const children = createChildGroup(root);
const status = async (pid: number) => {
  const text = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0);
  return { rssMb: kb("VmRSS") / 1e3, peakMb: kb("VmHWM") / 1e3 };
};
const cpuMsOf = async (pid: number) => {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
};
const quantile = (list: number[], q: number) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))]!;
try {
  await copyFile(artifact, join(directory, "router.bin"));
  const targets = await dcrouterTargets(root);
  const prompts = await dcrouterTestPrompts(root);
  const upstream = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-upstream.ts"]);
  const config = join(directory, "switchyard.yaml");
  await writeFile(config, toYaml({ server: { host: "127.0.0.1", port: 0 }, router: { artifact: "./router.bin" }, upstreams: [{ name: "bench", baseUrl: `${upstream.url}/v1` }], targets, store: { path: "./data/switchyard.db" } }));
  const started = performance.now();
  // Compiled: what gateway-switchyard-server.ts does, with the compiled module, under plain Node.
  const compiledServer = `const { startGatewayFromConfig } = await import(${JSON.stringify(compiledEntry)}); const gateway = await startGatewayFromConfig({ configPath: process.argv[1] }); process.stdout.write("READY " + gateway.url + "\\n"); process.on("SIGTERM", () => void gateway.shutdown(2000).then(() => process.exit(0)));`;
  if (compiled) await stat(compiledEntry).catch(() => {
    throw new Error(`--compiled needs the compiled package: run \`npm run build\` first (${compiledEntry} is missing)`);
  });
  const gateway = compiled
    ? await children.start(process.execPath, ["--input-type=module", "-e", compiledServer, config])
    : await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", config]);
  const readyMs = performance.now() - started;
  const pid = gateway.child.pid!;
  const afterLoad = await status(pid);
  const send = async (prompt: string) => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: prompt }] }) });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return Number(response.headers.get("x-switchyard-decision-ms"));
  };
  for (let i = 0; i < 200; i++) await send(prompts[i % prompts.length]!);
  const cpuBefore = await cpuMsOf(pid);
  const decisions: number[] = [];
  for (let i = 0; i < requests; i++) decisions.push(await send(prompts[i % prompts.length]!));
  const cpuPerRequestUs = ((await cpuMsOf(pid)) - cpuBefore) * (1000 / requests);
  const end = await status(pid);
  const size = (await stat(artifact)).size / 1e6;
  console.log(`## ${count.toLocaleString("en")}-prompt kNN (word vectors, IVF), binary artifact ${size.toFixed(1)} MB, real gateway (pid ${pid}) ${compiled ? "compiled (dist/, plain Node)" : "from the sources (under tsx)"}`);
  console.log(`| figure | measured | bar |\n|---|---|---|`);
  console.log(`| start to ready (wall, includes Node${compiled ? "" : " + tsx"} start-up) | ${(readyMs / 1000).toFixed(2)} s | load ≤ 1 s (see knn-index-speed.ts for the load alone) |`);
  console.log(`| RSS after load / peak (VmHWM) after load | ${afterLoad.rssMb.toFixed(0)} / ${afterLoad.peakMb.toFixed(0)} MB | — |`);
  console.log(`| peak RSS (VmHWM) after ${requests} routed requests | ${end.peakMb.toFixed(0)} MB | ≤ 300 MB at 100k |`);
  console.log(`| engine decision time (x-switchyard-decision-ms), p50 / p99 | ${quantile(decisions, 0.5).toFixed(3)} / ${quantile(decisions, 0.99).toFixed(3)} ms | p99 ≤ 1 ms at 100k, ≤ 2 ms at 1M |`);
  console.log(`| gateway CPU per routed request (1 connection) | ${cpuPerRequestUs.toFixed(0)} µs | — |`);
} finally {
  children.stopAll();
  await rm(directory, { recursive: true, force: true });
}
