import assert from "node:assert/strict";
import { test } from "node:test";
import { createTraceWriter } from "../../src/observability/trace-writer.js";
import type { TimerFunctions } from "../../src/resilience/timeouts.js";
import { ShadowDecision } from "../../src/rollout/shadow-decision.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import type { TraceRepository } from "../../src/stores/store.js";
import type { TraceRecord } from "../../src/stores/trace-record.js";
import { traceRecord } from "../stores/store-contract.js";

function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: TimerFunctions = {
    setTimeout: (callback) => (pending.set(++next, callback), next),
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const fire = () => {
    for (const [id, callback] of [...pending]) {
      pending.delete(id);
      callback();
    }
  };
  return { timers, fire, pending };
}

test("traces are batched: written on the timer, at maxBatch, and on flush", async () => {
  const store = createMemoryStore();
  const { timers, fire, pending } = manualTimers();
  const writer = createTraceWriter({ repository: store.traces, timers, maxBatch: 3 });
  writer.add(traceRecord({ id: "a" }));
  writer.add(traceRecord({ id: "b" }));
  assert.equal(writer.pending, 2);
  assert.equal((await store.traces.list()).length, 0);
  assert.equal(pending.size, 1, "one timer for the batch");
  fire();
  await writer.flush();
  assert.equal((await store.traces.list()).length, 2);
  for (const id of ["c", "d", "e"]) writer.add(traceRecord({ id }));
  await writer.flush();
  assert.equal((await store.traces.list()).length, 5);
  writer.add(traceRecord({ id: "f" }));
  await writer.close();
  assert.equal((await store.traces.get("f"))?.id, "f");
  assert.equal(pending.size, 0);
});

test("a failing store drops the batch, reports it, and the writer keeps working", async () => {
  const errors: number[] = [];
  let fail = true;
  const store = createMemoryStore();
  const writer = createTraceWriter({
    repository: { ...store.traces, insertMany: async (traces) => { if (fail) throw new Error("disk full"); await store.traces.insertMany(traces); } },
    onError: (_error, dropped) => errors.push(dropped),
    timers: manualTimers().timers,
  });
  writer.add(traceRecord({ id: "x" }));
  await writer.flush();
  fail = false;
  writer.add(traceRecord({ id: "y" }));
  await writer.flush();
  assert.deepEqual(errors, [1]);
  assert.deepEqual((await store.traces.list()).map((trace) => trace.id), ["y"]);
});

test("a large batch is written in slices, with the event loop served between them", async () => {
  const store = createMemoryStore();
  const slices: number[] = [];
  const writer = createTraceWriter({
    repository: { ...store.traces, insertMany: async (traces) => { slices.push(traces.length); await store.traces.insertMany(traces); } },
    timers: manualTimers().timers,
    maxSlice: 4,
  });
  for (let i = 0; i < 10; i++) writer.add(traceRecord({ id: `t${i}` }));
  const immediates: number[] = [];
  const watch = () => {
    immediates.push(slices.length);
    if (slices.length < 3) setImmediate(watch);
  };
  setImmediate(watch);
  await writer.flush();
  assert.deepEqual(slices, [4, 4, 2]);
  assert.equal((await store.traces.list({ limit: 100 })).length, 10);
  assert.ok(immediates.some((written) => written > 0 && written < 3), "other callbacks ran while the batch was being written");
});

test("a batch waits, bounded, for the shadow decisions still pending in it, and stores them decided", async () => {
  const written: unknown[] = [];
  // Serialised at write time, as the SQLite and PostgreSQL stores do.
  const repository = { insertMany: async (traces: readonly TraceRecord[]) => void written.push(...traces.map((trace) => JSON.parse(JSON.stringify(trace)) as unknown)) };
  const { timers, fire } = manualTimers();
  const writer = createTraceWriter({ repository: repository as unknown as TraceRepository, timers, shadowWaitMs: 250 });
  const decided = new ShadowDecision("knn", "v2");
  const late = new ShadowDecision("knn", "v2");
  const base = traceRecord({ id: "a" });
  writer.add({ ...base, decision: { ...base.decision!, shadow: decided } });
  writer.add({ ...traceRecord({ id: "b" }), decision: { ...base.decision!, shadow: late } });
  const flushed = writer.flush();
  await new Promise((done) => setImmediate(done));
  assert.equal(written.length, 0, "the batch waits for its pending shadow decisions");
  decided.record("gemma-2-9b-it", 0.6, 0.00003, 0.4);
  await new Promise((done) => setImmediate(done));
  assert.equal(written.length, 0, "one is still pending");
  // The wait is bounded: the timer fires and the batch is written with the late one still pending.
  fire();
  await flushed;
  const shadows = (written as Array<{ decision: { shadow: { status: string; model?: string } } }>).map((trace) => trace.decision.shadow);
  assert.deepEqual(shadows.map((shadow) => [shadow.status, shadow.model]), [["decided", "gemma-2-9b-it"], ["pending", undefined]]);
  assert.equal(JSON.stringify(shadows[0]).includes("settled"), false, "the record's private promise stays out of the JSON");
  // Settled records are written without waiting.
  writer.add({ ...traceRecord({ id: "c" }), decision: { ...base.decision!, shadow: decided } });
  await writer.flush();
  assert.equal(written.length, 3);
});
