import assert from "node:assert/strict";
import { test } from "node:test";
import { createDeadline, timeoutsSchema } from "../../src/resilience/timeouts.js";
import type { TimerFunctions } from "../../src/resilience/timeouts.js";

function manualTimers() {
  let next = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  let time = 0;
  const timers: TimerFunctions = {
    setTimeout: (callback, ms) => {
      pending.set(++next, { at: time + ms, callback });
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const advance = (ms: number) => {
    time += ms;
    for (const [id, timer] of [...pending]) {
      if (timer.at <= time) {
        pending.delete(id);
        timer.callback();
      }
    }
  };
  return { timers, advance, pending };
}

test("timeouts schema defaults", () => {
  assert.deepEqual(timeoutsSchema.parse({}), { connectMs: 5_000, firstByteMs: 60_000, totalMs: 300_000 });
  assert.throws(() => timeoutsSchema.parse({ totalMs: 0 }));
  assert.throws(() => timeoutsSchema.parse({ typo: 1 }));
});

test("the first timer to expire aborts the signal and is named", () => {
  const { timers, advance } = manualTimers();
  const deadline = createDeadline({ timers });
  deadline.arm("first_byte", 100);
  deadline.arm("total", 500);
  advance(99);
  assert.equal(deadline.signal.aborted, false);
  advance(1);
  assert.equal(deadline.signal.aborted, true);
  assert.equal(deadline.expired, "first_byte");
  assert.deepEqual(deadline.signal.reason, { timeout: "first_byte" });
  advance(1_000);
  assert.equal(deadline.expired, "first_byte");
});

test("disarm and clear stop timers; a parent abort propagates", () => {
  const { timers, advance, pending } = manualTimers();
  const parent = new AbortController();
  const deadline = createDeadline({ parent: parent.signal, timers });
  deadline.arm("first_byte", 100);
  deadline.disarm("first_byte");
  deadline.arm("total", 200);
  deadline.arm("total", 300);
  assert.equal(pending.size, 1, "re-arming replaces");
  advance(250);
  assert.equal(deadline.signal.aborted, false);
  parent.abort("client gone");
  assert.equal(deadline.signal.aborted, true);
  assert.equal(deadline.expired, undefined);
  deadline.clear();
  assert.equal(pending.size, 0);
  const already = new AbortController();
  already.abort();
  assert.equal(createDeadline({ parent: already.signal, timers }).signal.aborted, true);
});
