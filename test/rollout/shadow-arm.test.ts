import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { startShadowArm } from "../../src/rollout/shadow-arm.js";
import { rolloutFixture, root } from "./rollout-kit.js";

test("shadow arm: a burst of queries goes to the worker in one message, and answers come back batched", async () => {
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
    // A request after the batch went out (more than batchMs later) is a new message, decided too.
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

test("shadow arm: queries of several turns within batchMs share one message; past maxPending requests are skipped and counted", async () => {
  const fixture = await rolloutFixture();
  const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
  const targets = prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok, contextWindow: 128_000 }));
  const arm = await startShadowArm({ path: fixture.cheapPath, targets, batchMs: 10_000, maxBatch: 4, maxPending: 6 });
  try {
    // Three requests in three event-loop turns (one connection): still queued, nothing sent yet.
    const records = [];
    for (let i = 0; i < 3; i++) {
      records.push(arm.decide({ messages: [{ role: "user", content: `question ${i}` }] }, undefined));
      await new Promise((done) => setImmediate(done));
    }
    assert.equal(arm.messages.sent, 0);
    assert.deepEqual(arm.counts(), { decided: 0, skipped: 0, failed: 0, pending: 3 });
    // The fourth fills the batch (maxBatch 4): one message for the four.
    records.push(arm.decide({ messages: [{ role: "user", content: "question 3" }] }, undefined));
    assert.equal(arm.messages.sent, 1);
    // Two more are accepted (pending 6 = maxPending); the next two are skipped at once, not queued.
    for (let i = 4; i < 8; i++) records.push(arm.decide({ messages: [{ role: "user", content: `question ${i}` }] }, undefined));
    assert.deepEqual(records.slice(6).map((record) => record.status), ["skipped", "skipped"]);
    assert.match(records[6]!.error ?? "", /backlog full/);
    await Promise.all(records.slice(0, 4).map((record) => record.whenSettled()));
    assert.deepEqual(records.slice(0, 4).map((record) => record.status), ["decided", "decided", "decided", "decided"]);
    assert.deepEqual(arm.counts(), { decided: 4, skipped: 2, failed: 0, pending: 2 });
    assert.equal(arm.messages.received, 1, "one message of answers for the batch");
  } finally {
    await arm.close();
    await rm(fixture.directory, { recursive: true, force: true });
  }
  // The two left in the outbox when the arm closed fail, and are counted.
  assert.deepEqual(arm.counts(), { decided: 4, skipped: 2, failed: 2, pending: 0 });
});
