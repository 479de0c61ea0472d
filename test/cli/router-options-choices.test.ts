import assert from "node:assert/strict";
import { test } from "node:test";
import { embedderChoices, embedderHelp, routerChoices, routerHelp } from "../../src/cli/router-options.js";
import { embedderFactories } from "../../src/embedders/create-embedder.js";
import { routerTrainers } from "../../src/routers/create-router-trainer.js";

test("--router help lists exactly the registered router strategies", () => {
  assert.deepEqual([...routerChoices].sort(), [...routerTrainers.keys()].sort());
  for (const name of routerChoices) assert.match(routerHelp, new RegExp(`\\b${name}\\b`));
});

test("--embedder help lists exactly the registered embedder kinds", () => {
  assert.deepEqual([...embedderChoices].sort(), [...embedderFactories.keys()].sort());
  for (const kind of embedderChoices) assert.ok(embedderHelp.includes(kind), kind);
});
