import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluate } from "../../src/eval/evaluate.js";
import { toyExamples, toyInput, near } from "./toy.js";

test("one task holding every prompt repeats the whole report's metrics", () => {
  const input = toyInput();
  const report = evaluate({ ...input, examples: toyExamples().map((example) => ({ ...example, task: "all" })) });
  const task = report.tasks?.[0];
  assert.ok(task && report.tasks?.length === 1);
  assert.equal(task.examples, 3);
  near(task.zeroRouterAiq, report.zeroRouter.aiq);
  near(task.oracle.aiq, report.oracle.aiq);
  report.routers.forEach((router, index) => {
    const perTask = task.routers[index];
    assert.equal(perTask?.name, router.name);
    near(perTask?.aiq, router.aiq, `${router.name} AIQ`);
    assert.equal(perTask?.gapRecovered === null ? null : Number(perTask?.gapRecovered.toFixed(12)), router.gapRecovered === null ? null : Number(router.gapRecovered.toFixed(12)));
  });
});

test("two tasks: each task's single models, best single and oracle come from its own prompts; no task, no breakdown", () => {
  // e1 and e2 are task "a", e3 is task "b" (toy outcomes: cheap 1/$1, 0/$1, 0/$2; pricey 1/$10, 1/$10, 0/$20).
  const examples = toyExamples().map((example, index) => ({ ...example, task: index < 2 ? "a" : "b" }));
  const report = evaluate({ ...toyInput(), examples });
  const [a, b] = report.tasks ?? [];
  assert.equal(a?.task, "a");
  assert.equal(b?.task, "b");
  const single = (task: typeof a, model: string) => task?.singles.find((entry) => entry.model === model);
  near(single(a, "cheap")?.meanQuality, 0.5);
  near(single(a, "cheap")?.meanCostUsd, 1);
  near(single(a, "pricey")?.meanQuality, 1);
  near(single(a, "pricey")?.meanCostUsd, 10);
  assert.equal(a?.bestSingle.model, "pricey");
  assert.equal(b?.bestSingle.model, "cheap", "tie at quality 0 → the cheaper");
  near(a?.oracle.point.meanQuality, 1);
  near(a?.oracle.point.meanCostUsd, 5.5, "cheap on e1, pricey on e2");
  assert.equal(evaluate(toyInput()).tasks, undefined);
});
