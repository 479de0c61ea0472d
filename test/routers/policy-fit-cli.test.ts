import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Command } from "commander";
import { parse as parseYaml, stringify } from "yaml";
import { registerFitPolicy } from "../../src/cli/commands/fit-policy.js";
import { toyDomains, toyOutOfDomain } from "../guard/toy-domains.js";

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerFitPolicy(program);
  let output = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((output += chunk), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(args, { from: "user" });
  } finally {
    process.stdout.write = write;
  }
  return output;
}

test("switchyard fit-policy writes the policy back with fitted per-route thresholds", async () => {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-fit-policy-"));
  const policy = {
    routes: Object.entries(toyDomains).map(([name, examples]) => ({ name, description: `${name} questions`, examples, model: `${name}-model` })),
    default: { model: "general" },
    matcher: { kind: "similarity", topK: 3 },
  };
  await writeFile(join(directory, "routes.yaml"), stringify({ policy }));
  const labelled = [
    ...Object.entries(toyDomains).flatMap(([route, texts]) => texts.slice(0, 5).map((text) => ({ text: `${text} now`, route }))),
    ...toyOutOfDomain.map((text) => ({ text, route: null })),
  ];
  await writeFile(join(directory, "labelled.jsonl"), labelled.map((item) => JSON.stringify(item)).join("\n"));
  const output = await run(["fit-policy", "--policy", join(directory, "routes.yaml"), "--examples", join(directory, "labelled.jsonl"), "--out", join(directory, "fitted.yaml")]);
  assert.match(output, /\| route \| examples matched \| threshold/);
  const fitted = parseYaml(await readFile(join(directory, "fitted.yaml"), "utf8")) as { policy: { routes: { name: string; threshold?: number }[] } };
  assert.ok(fitted.policy.routes.some((route) => typeof route.threshold === "number"), JSON.stringify(fitted.policy.routes.map((route) => route.threshold)));
});

test("fit-policy names the line and field of a bad example, and the path of a bad policy", async () => {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-fit-policy-"));
  await writeFile(join(directory, "routes.yaml"), stringify({ routes: [{ name: "a", description: "alpha", model: "m" }], default: { model: "d" } }));
  await writeFile(join(directory, "bad.jsonl"), `{"text": "hello", "route": "a"}\n{"text": "hi", "route": "zeta"}\n`);
  await assert.rejects(run(["fit-policy", "--policy", join(directory, "routes.yaml"), "--examples", join(directory, "bad.jsonl"), "--out", join(directory, "o.yaml")]), /bad\.jsonl:2: field route must be one of a, null or "default"; got "zeta"/);
  await writeFile(join(directory, "typo.yaml"), stringify({ routes: [{ name: "a", description: "alpha", modle: "m" }], default: { model: "d" } }));
  await assert.rejects(run(["fit-policy", "--policy", join(directory, "typo.yaml"), "--examples", join(directory, "bad.jsonl"), "--out", join(directory, "o.yaml")]), /typo\.yaml: routes\.0: Unrecognized key: "modle"/);
});
