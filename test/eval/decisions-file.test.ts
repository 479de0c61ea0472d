import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createDecisionsWriter, decisionRows, writeDecisions, type DecisionRow } from "../../src/eval/decisions-file.js";
import { evaluateWithSweeps } from "../../src/eval/evaluate.js";
import { toyInput } from "./toy.js";

const dir = await mkdtemp(join(tmpdir(), "switchyard-decisions-"));
after(() => rm(dir, { recursive: true, force: true }));

test("one JSON line per router × point × prompt, keys router, point, id, model in that order", async () => {
  const input = toyInput();
  const { sweeps } = evaluateWithSweeps(input);
  const path = join(dir, "nested", "decisions.jsonl");
  const count = await writeDecisions(path, decisionRows(input, sweeps));
  const lines = (await readFile(path, "utf8")).split("\n");
  assert.equal(lines.pop(), "", "the file ends with a newline");
  assert.equal(count, (162 + 1) * 3);
  assert.equal(lines.length, count);
  assert.equal(lines[0], '{"router":"knn","point":"wtp=0","id":"e1","model":"cheap"}');
  // The fixed router's one point comes last: pricey for every prompt.
  assert.deepEqual(lines.slice(-3), [
    '{"router":"best-single","point":"fixed","id":"e1","model":"pricey"}',
    '{"router":"best-single","point":"fixed","id":"e2","model":"pricey"}',
    '{"router":"best-single","point":"fixed","id":"e3","model":"pricey"}',
  ]);
  assert.ok(lines.includes('{"router":"knn","point":"strong=50%","id":"e3","model":"pricey"}'));
  assert.ok(lines.includes('{"router":"knn","point":"strong=50%","id":"e1","model":"cheap"}'));
  for (const line of lines) assert.deepEqual(Object.keys(JSON.parse(line) as object), ["router", "point", "id", "model"]);
});

test("the writer streams many rows in chunks and escapes ids as JSON", async () => {
  const path = join(dir, "many.jsonl");
  const writer = createDecisionsWriter(path);
  const total = 60_000;
  for (let i = 0; i < total; i++) await writer.write({ router: "knn", point: `wtp=${i % 80}`, id: i === 0 ? 'say "hi"\n' : `p${i}`, model: "m" });
  await writer.close();
  assert.equal(writer.rows, total);
  const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
  assert.equal(lines.length, total);
  assert.equal((JSON.parse(lines[0] as string) as DecisionRow).id, 'say "hi"\n');
  assert.equal(lines[total - 1], `{"router":"knn","point":"wtp=${(total - 1) % 80}","id":"p${total - 1}","model":"m"}`);
  await assert.rejects(writer.write({ router: "a", point: "b", id: "c", model: "d" }), /write after close/);
});

test("a write error surfaces instead of being lost", async () => {
  // The path is a folder: the stream fails asynchronously, and close() reports it.
  const writer = createDecisionsWriter(dir);
  await writer.write({ router: "a", point: "b", id: "c", model: "d" });
  await assert.rejects(writer.close(), /EISDIR/);
  // A parent that is a file fails at once.
  await writeDecisions(join(dir, "a-file"), []);
  assert.throws(() => createDecisionsWriter(join(dir, "a-file", "x.jsonl")));
});
