import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { isSwitchyardError } from "../../src/core/errors.js";
import { loadDataset } from "../../src/data/load-dataset.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/data");

async function assertInvalid(path: string, parts: readonly string[]): Promise<void> {
  await assert.rejects(loadDataset(path), (error: unknown) => {
    assert.ok(isSwitchyardError(error));
    assert.equal(error.code, "invalid_dataset");
    for (const part of parts) assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`);
    return true;
  });
}

test("dispatches on what the path is", async () => {
  assert.equal((await loadDataset(join(fixtures, "good/dataset.jsonl"))).examples.length, 3);
  assert.equal((await loadDataset(join(fixtures, "routerbench/tiny_train.csv"))).examples.length, 3);
  assert.equal((await loadDataset(join(fixtures, "routerbench"))).examples.length, 4);
  const directoryWithJsonl = await loadDataset(join(fixtures, "good"));
  assert.equal(directoryWithJsonl.source, join(fixtures, "good/dataset.jsonl"));
  assert.equal(directoryWithJsonl.modelInfo.length, 2);
});

test("missing paths, unknown formats and empty directories are errors naming the path", async () => {
  await assertInvalid(join(fixtures, "missing.jsonl"), ["missing.jsonl", "no such file or directory"]);
  await assertInvalid(join(fixtures, "good/models.json"), ["good/models.json", "unknown dataset format \".json\""]);
  await assertInvalid(fixtures, [fixtures, "no dataset in this directory"]);
});
