import assert from "node:assert/strict";
import { test } from "node:test";
import { isSwitchyardError } from "../../src/core/errors.js";
import type { RoutingExample } from "../../src/data/routing-example.js";
import { excludeContaminated, selectSplit, splitDataset } from "../../src/data/split.js";

function example(id: string, fields: Partial<RoutingExample> = {}): RoutingExample {
  return { id, prompt: `prompt ${id}`, outcomes: { m: { score: 1, costUsd: 0 } }, ...fields };
}

/** 100 examples: task a × 60, b × 30, c × 10, interleaved. */
const tasked = Array.from({ length: 100 }, (_, index) => example(`e${index}`, { task: index % 10 < 6 ? "a" : index % 10 < 9 ? "b" : "c" }));
const countBy = (examples: readonly RoutingExample[], task: string): number => examples.filter((item) => item.task === task).length;

test("splitDataset is a deterministic partition that keeps the original order", () => {
  const first = splitDataset(tasked, { seed: 7 });
  const again = splitDataset(tasked, { seed: 7 });
  assert.deepEqual(first.train.map((item) => item.id), again.train.map((item) => item.id));
  assert.equal(first.train.length + first.test.length, 100);
  const all = new Set([...first.train, ...first.test].map((item) => item.id));
  assert.equal(all.size, 100);
  const indexOf = (item: RoutingExample): number => Number(item.id.slice(1));
  assert.deepEqual(first.train.map(indexOf), [...first.train.map(indexOf)].sort((a, b) => a - b));
  const other = splitDataset(tasked, { seed: 8 });
  assert.notDeepEqual(other.train.map((item) => item.id), first.train.map((item) => item.id), "another seed gives another split");
});

test("splitDataset is stratified by task and hits the total exactly", () => {
  const { train, test: held } = splitDataset(tasked, { seed: 3, trainFraction: 0.7 });
  assert.equal(train.length, 70);
  assert.equal(countBy(train, "a"), 42);
  assert.equal(countBy(train, "b"), 21);
  assert.equal(countBy(train, "c"), 7);
  assert.equal(countBy(held, "c"), 3);
  const odd = splitDataset(tasked.slice(0, 33), { seed: 3, trainFraction: 0.5 });
  assert.equal(odd.train.length, Math.round(33 * 0.5));
});

test("without tasks the split is plain shuffled", () => {
  const plain = Array.from({ length: 10 }, (_, index) => example(`p${index}`));
  const { train, test: held } = splitDataset(plain, { seed: 1, trainFraction: 0.8 });
  assert.equal(train.length, 8);
  assert.equal(held.length, 2);
});

test("bad options are invalid_config", () => {
  for (const trainFraction of [0, 1, 1.5, Number.NaN]) {
    assert.throws(() => splitDataset(tasked, { seed: 1, trainFraction }), (error: unknown) => isSwitchyardError(error) && error.code === "invalid_config");
  }
  assert.throws(() => splitDataset(tasked, { seed: Number.NaN }), (error: unknown) => isSwitchyardError(error) && error.code === "invalid_config");
});

test("selectSplit uses the dataset's own splits", () => {
  const dataset = { source: "d.jsonl", examples: [example("1", { split: "train" }), example("2", { split: "test" }), example("3", { split: "train" })] };
  const selected = selectSplit(dataset, "train", { seed: 1 });
  assert.equal(selected.assigned, false);
  assert.deepEqual(selected.examples.map((item) => item.id), ["1", "3"]);
  assert.throws(() => selectSplit(dataset, "validation", { seed: 1 }), (error: unknown) => {
    assert.ok(isSwitchyardError(error));
    assert.equal(error.code, "invalid_dataset");
    assert.match(error.message, /d\.jsonl: no split "validation"; available splits: train, test/);
    return true;
  });
});

test("selectSplit assigns a seeded split when the data has none, and says so", () => {
  const dataset = { source: "s.jsonl", examples: tasked };
  const train = selectSplit(dataset, "train", { seed: 5 });
  const held = selectSplit(dataset, "test", { seed: 5 });
  assert.equal(train.assigned, true);
  assert.equal(train.examples.length, 70);
  assert.equal(held.examples.length, 30);
  assert.ok(train.examples.every((item) => item.split === "train"));
  assert.ok(held.examples.every((item) => item.split === "test"));
  assert.equal(tasked[0]?.split, undefined, "the input examples are not modified");
  const trainIds = new Set(train.examples.map((item) => item.id));
  assert.ok(held.examples.every((item) => !trainIds.has(item.id)), "the two sides are disjoint");
  assert.throws(() => selectSplit(dataset, "dev", { seed: 5 }), /s\.jsonl: no split "dev".*train or test/);
});

test("excludeContaminated drops only contaminated examples", () => {
  const kept = excludeContaminated([example("1", { contaminated: true }), example("2", { contaminated: false }), example("3")]);
  assert.deepEqual(kept.map((item) => item.id), ["2", "3"]);
});
