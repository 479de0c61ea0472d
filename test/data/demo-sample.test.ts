import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readRoutingJsonl } from "../../src/data/read-routing-jsonl.js";
import { sharedData } from "../helpers/shared-data.js";

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
const demoDirectory = join(repositoryRoot, "examples/demo");
const samplePath = join(demoDirectory, "routerbench-sample.jsonl");
const routerbench = sharedData("routerbench/dataset.jsonl");

test("the bundled demo sample: 300 train + 100 test, 11 priced models, recorded responses, ≤ 1.8 MB", async () => {
  const dataset = await readRoutingJsonl(samplePath);
  assert.equal(dataset.examples.length, 400);
  assert.equal(dataset.examples.filter((example) => example.split === "train").length, 300);
  assert.equal(dataset.examples.filter((example) => example.split === "test").length, 100);
  assert.equal(dataset.models.length, 11);
  assert.ok(dataset.models.includes("gpt-4-1106-preview") && dataset.models.includes("mistralai/mixtral-8x7b-chat"));
  assert.deepEqual(dataset.warnings, []);
  assert.deepEqual(dataset.modelInfo.map((model) => model.id).sort(), [...dataset.models].sort());
  assert.ok(dataset.modelInfo.every((model) => model.inputUsdPerMTok > 0 && model.outputUsdPerMTok >= 0));
  assert.ok(dataset.examples.every((example) => Object.values(example.outcomes).every((outcome) => typeof outcome.response === "string")));
  assert.deepEqual([...new Set(dataset.examples.map((example) => example.task))].sort(), ["arc-challenge", "mbpp", "winogrande"]);
  assert.ok((await stat(samplePath)).size <= 1_800_000);
  const notice = await readFile(join(demoDirectory, "NOTICE.md"), "utf8");
  assert.match(notice, /withmartian\/routerbench/);
  assert.match(notice, /MIT/);
  assert.match(notice, /shuhao02\/RouterDC/);
  const models = JSON.parse(await readFile(join(demoDirectory, "models.json"), "utf8")) as { note?: string };
  assert.match(models.note ?? "", /derived/i);
});

test("the demo sample's outcomes are RouterBench's recorded ones", { skip: routerbench.skip }, async () => {
  const sample = await readRoutingJsonl(samplePath);
  const source = new Map((await readRoutingJsonl(routerbench.path)).examples.map((example) => [example.id, example]));
  for (const example of sample.examples) {
    const original = source.get(example.id);
    assert.ok(original, example.id);
    assert.equal(example.prompt, original.prompt);
    assert.equal(example.split, original.split);
    for (const [model, outcome] of Object.entries(example.outcomes)) {
      assert.equal(outcome.score, original.outcomes[model]?.score);
      assert.equal(outcome.costUsd, original.outcomes[model]?.costUsd);
    }
  }
});

test("make-demo-sample reproduces the bundled files byte for byte", { skip: routerbench.skip }, async () => {
  const output = await mkdtemp(join(tmpdir(), "switchyard-demo-"));
  try {
    await promisify(execFile)(process.execPath, ["--import", "tsx", join(repositoryRoot, "scripts/make-demo-sample.ts"), dirname(routerbench.path), output], { cwd: repositoryRoot });
    for (const name of ["routerbench-sample.jsonl", "models.json", "NOTICE.md"]) {
      assert.ok((await readFile(join(output, name))).equals(await readFile(join(demoDirectory, name))), `${name} differs`);
    }
  } finally {
    await rm(output, { recursive: true, force: true });
  }
});
