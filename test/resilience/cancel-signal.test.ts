import assert from "node:assert/strict";
import { test } from "node:test";
import { CancelSource } from "../../src/resilience/cancel-signal.js";
import { abortableSleep } from "../../src/resilience/fallback-executor.js";
import { withDeadline } from "../../src/strategies/with-deadline.js";

test("a cancel source calls each listener once, in order, and forgets removed and late ones", () => {
  const source = new CancelSource();
  const calls: string[] = [];
  const first = () => calls.push("first");
  const removed = () => calls.push("removed");
  const object = { handleEvent: () => calls.push("object") };
  source.addEventListener("abort", first, { once: true });
  source.addEventListener("abort", first);
  source.addEventListener("abort", removed);
  source.addEventListener("abort", object);
  source.removeEventListener("abort", removed);
  assert.equal(source.aborted, false);
  source.abort("why");
  source.abort("again");
  assert.deepEqual(calls, ["first", "object"]);
  assert.equal(source.aborted, true);
  assert.equal(source.reason, "why");
  source.addEventListener("abort", () => calls.push("late"));
  assert.deepEqual(calls, ["first", "object"]);
});

test("the request path's consumers of a signal work with a cancel source", async () => {
  const source = new CancelSource();
  const started = Date.now();
  const sleeping = abortableSleep(60_000, source);
  const running = withDeadline((signal) => new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })), { budgetMs: 60_000, parent: source });
  source.abort(new Error("client gone"));
  await sleeping;
  await assert.rejects(running, /client gone/);
  assert.ok(Date.now() - started < 5_000);
});
