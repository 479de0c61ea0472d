import assert from "node:assert/strict";
import { dirname } from "node:path";
import { test } from "node:test";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import { readRouterBenchCsv } from "../../src/data/read-routerbench-csv.js";
import { readRoutingJsonl } from "../../src/data/read-routing-jsonl.js";
import { excludeContaminated, selectSplit } from "../../src/data/split.js";
import { sharedData } from "../helpers/shared-data.js";

const routerbenchDirectory = sharedData("routerbench/arc_challenge_test.csv");
const routerbenchJsonl = sharedData("routerbench/dataset.jsonl");
const dcrouter = sharedData("dcrouter/dataset.jsonl");
const mmlu = sharedData("routellm/mmlu.jsonl");

test("RouterBench CSVs as shipped give the 3,150 complete rows of the canonical JSONL", { skip: routerbenchDirectory.skip || routerbenchJsonl.skip }, async () => {
  const fromCsv = await readRouterBenchCsv(dirname(routerbenchDirectory.path));
  const fromJsonl = await readRoutingJsonl(routerbenchJsonl.path);
  assert.equal(fromCsv.examples.length, 3150);
  assert.equal(fromCsv.models.length, 11);
  assert.deepEqual(fromCsv.models, fromJsonl.models);
  const skipped = (fromCsv.warnings ?? []).map((warning) => Number(/skipped (\d+) of/.exec(warning)?.[1] ?? 0));
  assert.equal(skipped.reduce((sum, count) => sum + count, 0), 3178 - 3150);
  assert.deepEqual(fromCsv.examples.map((example) => example.id), fromJsonl.examples.map((example) => example.id));
  const csvById = new Map(fromCsv.examples.map((example) => [example.id, example]));
  for (const expected of fromJsonl.examples) {
    const actual = csvById.get(expected.id);
    assert.ok(actual, expected.id);
    assert.equal(actual.prompt, expected.prompt, `prompt of ${expected.id}`);
    assert.equal(actual.task, expected.task);
    assert.equal(actual.split, expected.split);
    for (const model of fromJsonl.models) {
      assert.equal(actual.outcomes[model]?.score, expected.outcomes[model]?.score, `${expected.id} ${model} score`);
      assert.equal(actual.outcomes[model]?.costUsd, expected.outcomes[model]?.costUsd, `${expected.id} ${model} cost`);
    }
  }
  const sampled = csvById.get("arc-challenge.test.1");
  assert.equal(sampled?.outcomes["gpt-4-1106-preview"]?.costUsd, 0.005189999999999999);
  assert.equal(sampled?.outcomes["mistralai/mistral-7b-chat"]?.costUsd, 0.0001036);
  assert.ok(fromCsv.examples.every((example) => Object.values(example.outcomes).every((outcome) => typeof outcome.response === "string")));
});

test("every RouterBench prompt is a list literal normalizePromptText can read", { skip: routerbenchJsonl.skip }, async () => {
  const dataset = await readRoutingJsonl(routerbenchJsonl.path);
  for (const example of dataset.examples) {
    const text = normalizePromptText(example.prompt);
    assert.ok(!text.startsWith("['") && !text.startsWith('["'), `${example.id} did not parse`);
    assert.ok(!text.includes("\\n"), `${example.id} kept an escaped newline`);
  }
});

test("dcrouter: 5,608 train / 381 test, 9 models, priced", { skip: dcrouter.skip }, async () => {
  const dataset = await readRoutingJsonl(dcrouter.path);
  assert.equal(dataset.examples.length, 5989);
  assert.equal(dataset.models.length, 9);
  const train = selectSplit(dataset, "train", { seed: 1 });
  const held = selectSplit(dataset, "test", { seed: 1 });
  assert.equal(train.assigned, false);
  assert.equal(train.examples.length, 5608);
  assert.equal(held.examples.length, 381);
  const priced = new Set(dataset.modelInfo.map((model) => model.id));
  assert.ok(dataset.models.every((model) => priced.has(model)));
  assert.deepEqual(dataset.warnings, []);
});

test("RouteLLM MMLU: no splits (a seeded one is assigned), contamination flags", { skip: mmlu.skip }, async () => {
  const dataset = await readRoutingJsonl(mmlu.path);
  assert.equal(dataset.examples.length, 14042);
  assert.deepEqual(dataset.models, ["gpt-4-1106-preview", "mistralai/Mixtral-8x7B-Instruct-v0.1"]);
  assert.equal(excludeContaminated(dataset.examples).length, 14037);
  const held = selectSplit(dataset, "test", { seed: 11 });
  assert.equal(held.assigned, true);
  assert.equal(held.examples.length, 14042 - Math.round(14042 * 0.7));
});
