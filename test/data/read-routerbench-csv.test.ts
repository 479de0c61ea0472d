import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { isSwitchyardError } from "../../src/core/errors.js";
import { parseRouterBenchCsv, readRouterBenchCsv, splitOfRouterBenchFile } from "../../src/data/read-routerbench-csv.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/data");

async function assertInvalid(file: string, parts: readonly string[]): Promise<void> {
  await assert.rejects(readRouterBenchCsv(join(fixtures, file)), (error: unknown) => {
    assert.ok(isSwitchyardError(error), `expected a SwitchyardError, got ${String(error)}`);
    assert.equal(error.code, "invalid_dataset");
    for (const part of parts) assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`);
    return true;
  });
}

test("a directory: every *.csv in name order, split from the file name, incomplete rows skipped and counted", async () => {
  const dataset = await readRouterBenchCsv(join(fixtures, "routerbench"));
  assert.deepEqual(dataset.examples.map((example) => `${example.id}/${example.split}/${example.task}`), [
    "tiny.test.1/test/geo",
    "tiny.train.1/train/arith",
    "tiny.train.2/train/code",
    "tiny.train.4/train/arith",
  ]);
  assert.deepEqual(dataset.models, ["model-a", "org/model-b"]);
  assert.deepEqual(dataset.modelInfo, []);
  const warnings = dataset.warnings ?? [];
  assert.equal(warnings.length, 2);
  assert.ok(warnings[0]?.includes("tiny_test.csv: skipped 1 of 2 rows") && warnings[0].includes("tiny.test.2"), warnings[0]);
  assert.ok(warnings[1]?.includes("tiny_train.csv: skipped 1 of 4 rows") && warnings[1].includes("tiny.train.3"), warnings[1]);
});

test("outcomes: score, cost and the response, multi-line quoted fields intact; prompt kept raw", async () => {
  const dataset = await readRouterBenchCsv(join(fixtures, "routerbench/tiny_train.csv"));
  const byId = new Map(dataset.examples.map((example) => [example.id, example]));
  assert.deepEqual(byId.get("tiny.train.2")?.outcomes, {
    "model-a": { score: 1, costUsd: 0.0003, response: '```python\nprint("hi")\n```' },
    "org/model-b": { score: 1, costUsd: 0.00001, response: "print('hi')" },
  });
  assert.equal(byId.get("tiny.train.1")?.prompt, "['What is 2+2?\\nAnswer:']");
  assert.equal(byId.get("tiny.train.4")?.prompt, '["It\'s fine"]');
  assert.equal(byId.get("tiny.train.4")?.outcomes["model-a"]?.score, 0.5);
  assert.equal(byId.has("tiny.train.3"), false, "the row with a blank cost is skipped");
});

test("parseRouterBenchCsv reports row count, skipped ids and models", () => {
  const text = ",sample_id,prompt,eval_name,a,a|total_cost\n0,x.1,\"['p']\",t,1.0,0.5\n1,x.2,\"['q']\",t,nan,0.5\n";
  const contents = parseRouterBenchCsv(text, "inline_test.csv");
  assert.equal(contents.rowCount, 2);
  assert.deepEqual(contents.skippedIds, ["x.2"]);
  assert.deepEqual(contents.models, ["a"]);
  assert.deepEqual(contents.examples, [{ id: "x.1", prompt: "['p']", task: "t", split: "test", outcomes: { a: { score: 1, costUsd: 0.5 } } }]);
});

test("splitOfRouterBenchFile reads the suffix", () => {
  assert.equal(splitOfRouterBenchFile("/d/arc_challenge_train.csv"), "train");
  assert.equal(splitOfRouterBenchFile("mbpp_test.csv"), "test");
  assert.equal(splitOfRouterBenchFile("routerbench_0shot.csv"), undefined);
});

test("a bad score names file, the record's starting line (after a multi-line record) and column", async () => {
  await assertInvalid("routerbench-bad/bad-score_test.csv", ['bad-score_test.csv:5: column "org/model-b": expected a number in [0, 1], got "abc"']);
});

test("a negative cost names its column", async () => {
  await assertInvalid("routerbench-bad/negative-cost.csv", ['negative-cost.csv:3: column "model-a|total_cost": expected a non-negative number']);
});

test("missing columns are reported on line 1", async () => {
  await assertInvalid("routerbench-bad/missing-column.csv", ['missing-column.csv:1: column "prompt": missing']);
  await assertInvalid("routerbench-bad/no-score-column.csv", ['no-score-column.csv:1: column "model-a": missing']);
});

test("CSV syntax errors name file and line", async () => {
  await assertInvalid("routerbench-bad/unclosed-quote.csv", ["unclosed-quote.csv:3: malformed CSV", "Quote Not Closed"]);
  await assertInvalid("routerbench-bad/ragged.csv", ["ragged.csv:3: malformed CSV"]);
});

test("a missing path or a directory without CSVs is invalid_dataset", async () => {
  await assertInvalid("nowhere", ["nowhere", "no such file or directory"]);
  await assertInvalid("good", ["good", "no .csv files"]);
});
