import assert from "node:assert/strict";
import { test } from "node:test";
import { looksLikeRoutingLog, parseRoutingLog } from "../../src/data/read-routing-log.js";

const candidates = [
  { model: "small", predictedQuality: 0.6, predictedCostUsd: 0.0001 },
  { model: "big", predictedQuality: 0.9, predictedCostUsd: 0.002 },
];
const line = (fields: Record<string, unknown>, drop: string[] = []) => {
  const entry: Record<string, unknown> = { id: "r1", prompt: "hi", model: "small", propensity: 0.8, reward: 1, costUsd: 0.0001, candidates, router: "knn", artifact: "abc", ...fields };
  for (const key of drop) delete entry[key];
  return JSON.stringify(entry);
};

test("reads the documented routing-log line, optional fields absent or null", () => {
  const entries = parseRoutingLog([line({}), line({ id: "r2", prompt: null, promptHash: "ff", reward: null, knob: 0.3 }), ""].join("\n"), "log.jsonl");
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[0], { id: "r1", prompt: "hi", model: "small", propensity: 0.8, reward: 1, costUsd: 0.0001, candidates, router: "knn", artifact: "abc" });
  assert.equal(entries[1]?.prompt, undefined);
  assert.equal(entries[1]?.reward, undefined);
  assert.equal(entries[1]?.promptHash, "ff");
  assert.equal(entries[1]?.knob, 0.3);
  assert.equal(looksLikeRoutingLog(line({})), true);
  assert.equal(looksLikeRoutingLog(JSON.stringify({ id: "x", prompt: "p", outcomes: {} })), false);
});

test("bad lines are errors naming the file, line and field", () => {
  const cases: Array<[string, RegExp]> = [
    [line({}, ["propensity"]), /^log\.jsonl:2: propensity: required$/],
    [line({ propensity: 0 }), /^log\.jsonl:2: propensity: expected a probability in \(0, 1\]/],
    [line({ propensity: 1.5 }), /^log\.jsonl:2: propensity: expected a probability in \(0, 1\]$/],
    [line({ propensity: "0.5" }), /^log\.jsonl:2: propensity: expected a probability in \(0, 1\]$/],
    [line({ reward: 1.2 }), /^log\.jsonl:2: reward: expected a number in \[0, 1\]$/],
    [line({ reward: -0.1 }), /^log\.jsonl:2: reward: expected a number in \[0, 1\]$/],
    [line({ costUsd: -1 }), /^log\.jsonl:2: costUsd: expected a non-negative number \(USD\)$/],
    [line({ model: "huge" }), /^log\.jsonl:2: model: the served model "huge" is not one of the line's candidates$/],
    [line({ candidates: [] }), /^log\.jsonl:2: candidates: expected at least one candidate$/],
    [line({ candidates: [{ model: "small", predictedQuality: "x", predictedCostUsd: 0 }] }), /^log\.jsonl:2: candidates\[0\]\.predictedQuality: expected a number$/],
    [line({ id: "r0" }).replace("{", "{{"), /^log\.jsonl:2: not valid JSON/],
    [line({ id: "r0" }), /^log\.jsonl:2: id: repeats the id "r0"/],
  ];
  for (const [bad, message] of cases) {
    assert.throws(() => parseRoutingLog(`${line({ id: "r0" })}\n${bad}\n`, "log.jsonl"), (error: Error & { code?: string }) => {
      assert.equal(error.code, "invalid_dataset");
      assert.match(error.message, message);
      return true;
    });
  }
  assert.throws(() => parseRoutingLog("\n\n", "empty.jsonl"), /empty\.jsonl: the routing log has no entries/);
});
