import assert from "node:assert/strict";
import { test } from "node:test";
import { withinLatencyBudget } from "../../src/guard/latency-budget.js";
import { createManualTimer, deferred } from "./manual-timer.js";

test("work that finishes before the budget wins and clears the timer", async () => {
  const { timer, pendingCount } = createManualTimer();
  const work = deferred<string>();
  const outcome = withinLatencyBudget(work.promise, 100, timer);
  assert.equal(pendingCount(), 1);
  work.resolve("done");
  assert.deepEqual(await outcome, { status: "done", value: "done" });
  assert.equal(pendingCount(), 0);
});

test("the budget firing first gives timeout, and the late answer is ignored", async () => {
  const { timer, fire } = createManualTimer();
  const work = deferred<string>();
  const outcome = withinLatencyBudget(work.promise, 100, timer);
  fire();
  work.resolve("too late");
  assert.deepEqual(await outcome, { status: "timeout" });
});

test("failing work gives error without rejecting", async () => {
  const { timer } = createManualTimer();
  const outcome = await withinLatencyBudget(Promise.reject(new Error("boom")), 100, timer);
  assert.equal(outcome.status, "error");
});
