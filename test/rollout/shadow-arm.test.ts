import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { startShadowArm } from "../../src/rollout/shadow-arm.js";
import { rolloutFixture, root } from "./rollout-kit.js";

test("shadow arm: the queries of one event-loop turn go to the worker in one message, and answers come back batched", async () => {
  const fixture = await rolloutFixture();
  const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
  const targets = prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok, contextWindow: 128_000 }));
  const arm = await startShadowArm({ path: fixture.cheapPath, targets });
  try {
    // 32 routed requests in one turn (a burst on 32 connections): one message to the worker, not 32.
    const records = Array.from({ length: 32 }, (_, i) => arm.decide({ messages: [{ role: "user", content: `question ${i}` }] }, undefined));
    for (let waited = 0; records.some((record) => record.status === "pending") && waited < 20_000; waited += 5) await new Promise((done) => setTimeout(done, 5));
    assert.deepEqual(new Set(records.map((record) => record.status)), new Set(["decided"]));
    assert.deepEqual(new Set(records.map((record) => record.model)), new Set([fixture.cheapModel]));
    assert.equal(arm.messages.sent, 1);
    // One message of answers for the message of questions.
    assert.equal(arm.messages.received, 1);
    // Requests in separate turns are separate messages, each decided.
    const later = arm.decide({ messages: [{ role: "user", content: "one more" }] }, undefined);
    for (let waited = 0; later.status === "pending" && waited < 20_000; waited += 5) await new Promise((done) => setTimeout(done, 5));
    assert.equal(later.status, "decided");
    assert.equal(arm.messages.sent, 2);
    assert.equal(arm.messages.received, 2);
  } finally {
    await arm.close();
    await rm(fixture.directory, { recursive: true, force: true });
  }
  // After close, a decision fails at once instead of waiting for a worker that is gone.
  const closedRecord = arm.decide({ messages: [{ role: "user", content: "late" }] }, undefined);
  assert.equal(closedRecord.status, "failed");
});
