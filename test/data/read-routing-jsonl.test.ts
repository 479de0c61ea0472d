import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { isSwitchyardError } from "../../src/core/errors.js";
import { parseRoutingJsonl, readRoutingJsonl } from "../../src/data/read-routing-jsonl.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/data");

/** Asserts that reading `file` fails with invalid_dataset and a message containing every part. */
async function assertInvalid(file: string, parts: readonly string[]): Promise<void> {
  await assert.rejects(readRoutingJsonl(join(fixtures, file)), (error: unknown) => {
    assert.ok(isSwitchyardError(error), `expected a SwitchyardError, got ${String(error)}`);
    assert.equal(error.code, "invalid_dataset");
    assert.equal(error.status, 400);
    for (const part of parts) assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`);
    assert.ok(!error.message.includes("\n    at "), "no stack trace in the message");
    return true;
  });
}

test("reads a good file: fields, nulls as absent, extra fields dropped, blank lines skipped", async () => {
  const dataset = await readRoutingJsonl(join(fixtures, "good/dataset.jsonl"));
  assert.equal(dataset.source, join(fixtures, "good/dataset.jsonl"));
  assert.deepEqual(dataset.examples.map((example) => example.id), ["g-1", "g-2", "g-3"]);
  assert.deepEqual(dataset.models, ["small", "large"]);
  assert.deepEqual(dataset.warnings, []);
  const [first, second, third] = dataset.examples;
  assert.deepEqual(first, {
    id: "g-1",
    prompt: "What is 2 + 2?",
    task: "math",
    split: "train",
    outcomes: {
      small: { score: 1, costUsd: 0.00001, inputTokens: 4, outputTokens: 1 },
      large: { score: 1, costUsd: 0.0002, response: "4" },
    },
  });
  assert.deepEqual(second?.outcomes.small, { score: 0, costUsd: 0.00002 });
  assert.equal(second?.contaminated, false);
  assert.equal("extra" in (second ?? {}), false);
  assert.equal(third?.task, undefined);
  assert.equal("task" in (third ?? {}), false);
  assert.equal(third?.contaminated, true);
});

test("reads models.json beside the file, ignoring extra fields", async () => {
  const dataset = await readRoutingJsonl(join(fixtures, "good/dataset.jsonl"));
  assert.deepEqual(dataset.modelInfo, [
    { id: "small", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.2 },
    { id: "large", inputUsdPerMTok: 10, outputUsdPerMTok: 30, description: "the big one" },
  ]);
});

test("no models.json: modelInfo is empty", async () => {
  const dataset = await readRoutingJsonl(join(fixtures, "no-prices/dataset.jsonl"));
  assert.deepEqual(dataset.modelInfo, []);
  assert.deepEqual(dataset.models, ["m"]);
});

test("models are those every example has, in first-seen order; the rest are reported", async () => {
  const dataset = await readRoutingJsonl(join(fixtures, "partial/dataset.jsonl"));
  assert.deepEqual(dataset.models, ["x", "y"]);
  assert.equal(dataset.examples.length, 3);
  const warnings = dataset.warnings ?? [];
  assert.ok(warnings.some((warning) => warning.includes("1 of 3 examples lack some model") && warning.includes("z (2 of 3)")), warnings.join("\n"));
  assert.ok(warnings.some((warning) => warning.includes("models.json has no price for: y")), warnings.join("\n"));
});

test("invalid JSON names the file and line", async () => {
  await assertInvalid("malformed/bad-json.jsonl", ["bad-json.jsonl:3: ", "invalid JSON"]);
});

test("a score out of range names file, line and field path", async () => {
  await assertInvalid("malformed/score-out-of-range.jsonl", ["score-out-of-range.jsonl:2: outcomes.gpt-4.score: expected a number in [0, 1]"]);
});

test("a missing prompt is reported as required", async () => {
  await assertInvalid("malformed/missing-prompt.jsonl", ["missing-prompt.jsonl:1: prompt: required"]);
});

test("a wrong type names the field", async () => {
  await assertInvalid("malformed/wrong-type.jsonl", ["wrong-type.jsonl:3: outcomes.m.costUsd: expected a non-negative number"]);
});

test("duplicate ids, non-objects, empty outcomes and empty files are errors", async () => {
  await assertInvalid("malformed/duplicate-id.jsonl", ["duplicate-id.jsonl:2: id: duplicate id \"a\" (first on line 1)"]);
  await assertInvalid("malformed/not-object.jsonl", ["not-object.jsonl:1: expected a JSON object"]);
  await assertInvalid("malformed/no-outcomes.jsonl", ["no-outcomes.jsonl:1: outcomes: expected at least one"]);
  await assertInvalid("malformed/empty.jsonl", ["empty.jsonl", "no examples"]);
});

test("a malformed models.json names its file and field", async () => {
  await assertInvalid("bad-models/dataset.jsonl", ["models.json: models[0].inputUsdPerMTok: expected a non-negative number"]);
});

test("a missing file is invalid_dataset naming the path", async () => {
  await assertInvalid("nowhere/dataset.jsonl", ["nowhere/dataset.jsonl", "no such file"]);
});

test("parseRoutingJsonl handles CRLF line ends and a byte-order mark", () => {
  const text = '\uFEFF{"id":"a","prompt":"p","outcomes":{"m":{"score":1,"costUsd":0}}}\r\n\r\n{"id":"b","prompt":"q","outcomes":{"m":{"score":0,"costUsd":0}}}\r\n';
  assert.deepEqual(parseRoutingJsonl(text, "crlf.jsonl").map((example) => example.id), ["a", "b"]);
});
