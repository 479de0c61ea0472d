import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { SwitchyardError } from "../../src/core/errors.js";
import { BudgetPacer } from "../../src/limits/budget-pacer.js";

/** A toy market: at willingness-to-pay w, a request costs more the higher w is (pricier models get chosen). */
function costAt(wtp: number, random: () => number): { predicted: number; real: number } {
  const predicted = Math.min(0.01, 0.0001 * (1 + 50 * wtp));
  return { predicted, real: predicted * (0.5 + random()) };
}

test("the pacer never lets spend exceed the budget and spends most of it", () => {
  for (const budgetUsd of [0.05, 0.5, 5]) {
    const random = createRandom(3);
    const pacer = new BudgetPacer({ budgetUsd, periodMs: 10_000, startMs: 0 });
    let spent = 0;
    let refused = 0;
    for (let now = 0; now < 10_000; now += 5) {
      const wtp = pacer.willingnessToPay(1, now);
      const { predicted, real } = costAt(wtp, random);
      // The hard guard: only a request whose predicted cost fits may be served.
      if (predicted > pacer.maxCostUsd(now)) {
        refused++;
        continue;
      }
      spent += real;
      pacer.record(real, now, predicted);
    }
    assert.ok(spent <= budgetUsd, `budget ${budgetUsd}: spent ${spent}`);
    if (budgetUsd < 5) assert.ok(spent >= 0.8 * budgetUsd, `budget ${budgetUsd}: only ${spent} spent (${refused} refused)`);
  }
});

test("spend tracks the budget over the period: half the period, about half the money", () => {
  const random = createRandom(5);
  const pacer = new BudgetPacer({ budgetUsd: 1, periodMs: 1000, startMs: 0 });
  let spentAtHalf = 0;
  for (let now = 0; now < 1000; now++) {
    const { predicted, real } = costAt(pacer.willingnessToPay(1, now), random);
    if (predicted > pacer.maxCostUsd(now)) continue;
    pacer.record(real, now, predicted);
    if (now === 499) spentAtHalf = 1 - pacer.remainingUsd(now);
  }
  assert.ok(spentAtHalf > 0.3 && spentAtHalf < 0.7, `spent ${spentAtHalf} of 1 at half time`);
});

test("state round-trips, a new period starts with the full budget, bad options are named", () => {
  const pacer = new BudgetPacer({ budgetUsd: 1, periodMs: 100, startMs: 0 });
  pacer.record(0.4, 10, 0.2);
  const copy = new BudgetPacer({ budgetUsd: 1, periodMs: 100, startMs: 0 }, JSON.parse(JSON.stringify(pacer.toState())));
  assert.equal(copy.remainingUsd(20), 0.6);
  assert.equal(copy.maxCostUsd(20), 0.3);
  assert.equal(copy.willingnessToPay(2, 20), pacer.willingnessToPay(2, 20));
  assert.equal(copy.remainingUsd(150), 1);
  assert.throws(() => new BudgetPacer({ budgetUsd: -1, periodMs: 10 }), (error: unknown) => error instanceof SwitchyardError && error.param === "budget.usd");
  assert.throws(() => new BudgetPacer({ budgetUsd: 1 }), (error: unknown) => error instanceof SwitchyardError && error.param === "budget.period");
});
