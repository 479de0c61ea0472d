import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact, type RouterArtifact } from "../../src/artifacts/router-artifact.js";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import { queryOfPrompt } from "../../src/core/query.js";
import { restoreOnlineRouter } from "../../src/learning/restore-online-router.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { runCli } from "../helpers/run-cli.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const targets = [
  { id: "small", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1, contextWindow: 8192 },
  { id: "big", inputUsdPerMTok: 5, outputUsdPerMTok: 5, contextWindow: 8192 },
  { id: "mid", inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 8192 },
];

const cli = runCli;

let directory: string;
let served: RouterArtifact;
let config: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), "switchyard-anchored-"));
  // A bandit that learned small and big from labels (math: only big is right; chat: both are).
  served = await trainRouterArtifact({ examples: syntheticRoutingExamples(200, 3, "train"), models: ["small", "big"], router: "linucb", dataset: "synthetic", split: "train", now: () => new Date(0) });
  await saveRouterArtifact(join(directory, "router.json"), served);
  config = join(directory, "switchyard.yaml");
  await writeFile(config, toYaml({ router: { artifact: "./router.json" }, upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], targets, store: { path: "./learned.db" } }));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Mean predicted quality of `model` on math and chat prompts, from the store's learned state. */
async function predictions(model: string): Promise<{ math: number; chat: number; anchored: boolean }> {
  const store = createSqliteStore({ path: join(directory, "learned.db") });
  try {
    const restored = (await restoreOnlineRouter({ artifact: served, repository: store.learning, targets: targets.map((target) => target.id) }))!;
    const engine = await createRoutingEngine({ artifact: restored.artifact, targets });
    const probes = syntheticRoutingExamples(60, 77, "probe");
    const sums = { math: 0, chat: 0 };
    for (const example of probes) {
      const input = (await engine.decide(queryOfPrompt(example.prompt))).routeInput!;
      sums[example.task as "math" | "chat"] += engine.router!.predictQuality(input)[engine.router!.models.indexOf(model)]! / 30;
    }
    const state = restored.router.toState() as unknown as { anchorPriors: Record<string, unknown> };
    return { ...sums, anchored: state.anchorPriors[model] !== undefined };
  } finally {
    await store.close();
  }
}

test("learning add-model adds a configured target from its anchor scores: it starts where its measured answers put it", { timeout: 120_000 }, async () => {
  // The new model answers like big (right on math, where small is wrong): its graded answers on 60 recent prompts.
  const anchors = syntheticRoutingExamples(60, 11, "recent").map((example) => ({ prompt: example.prompt, score: example.outcomes.big!.score }));
  await writeFile(join(directory, "anchors.jsonl"), anchors.map((anchor) => JSON.stringify(anchor)).join("\n") + "\n");
  const added = await cli("learning", "add-model", "--config", config, "--model", "mid", "--anchors", join(directory, "anchors.jsonl"));
  assert.equal(added.status, 0, added.stderr);
  assert.match(added.stdout, /added mid from 60 anchors to the learned linucb state/);
  const mid = await predictions("mid");
  const small = await predictions("small");
  assert.ok(mid.anchored, "the restored state holds mid's anchor prior");
  // Without anchors mid would start at the optimistic 1 everywhere; with them it is good on math (like big), unlike small.
  assert.ok(mid.math > small.math + 0.4, `math: mid ${mid.math.toFixed(3)} vs small ${small.math.toFixed(3)}`);
  assert.ok(mid.math < 0.99 && mid.chat < 0.99, `mid is not the optimistic prior: ${JSON.stringify(mid)}`);

  // Again without --replace: refused, naming --model, the state unchanged.
  const again = await cli("learning", "add-model", "--config", config, "--model", "mid", "--anchors", join(directory, "anchors.jsonl"));
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^error: --model: the learned state already routes "mid"; pass --replace/);
  assert.deepEqual(await predictions("mid"), mid);
  // With --replace, from anchors that say it is always wrong: re-added, now predicted poor.
  await writeFile(join(directory, "poor.jsonl"), anchors.map((anchor) => JSON.stringify({ ...anchor, score: 0 })).join("\n"));
  const replaced = await cli("learning", "add-model", "--config", config, "--model", "mid", "--anchors", join(directory, "poor.jsonl"), "--replace");
  assert.equal(replaced.status, 0, replaced.stderr);
  assert.match(replaced.stdout, /replacing what was learned of it/);
  const poor = await predictions("mid");
  assert.ok(poor.math < 0.2 && poor.chat < 0.2, `mid from all-wrong anchors: ${JSON.stringify(poor)}`);
});

test("learning add-model: bad input is a one-line error naming the field, and changes nothing", { timeout: 120_000 }, async () => {
  const write = async (name: string, text: string) => {
    await writeFile(join(directory, name), text);
    return join(directory, name);
  };
  const before = await predictions("small");
  const cases: Array<[string[], RegExp]> = [
    [["--model", "ghost", "--anchors", await write("ok.jsonl", '{"prompt":"solve x","score":1}\n')], /--model: "ghost" is not a configured target/],
    [["--model", "mid", "--anchors", await write("range.jsonl", '{"prompt":"solve x","score":1.5}\n')], /--anchors: anchor 1: score must be a number in \[0, 1\], got 1.5/],
    [["--model", "mid", "--anchors", await write("text.jsonl", '{"prompt":"solve x","score":1}\nnot json\n')], /--anchors: line 2 is not JSON/],
    [["--model", "mid", "--anchors", await write("empty.jsonl", "\n")], /--anchors: no anchors/],
    [["--model", "mid", "--anchors", await write("noprompt.jsonl", '{"score":1}\n')], /--anchors: anchor 1: prompt must be a non-empty string/],
    [["--model", "mid", "--anchors", join(directory, "missing.jsonl")], /--anchors: cannot read .*missing.jsonl \(ENOENT\)/],
  ];
  for (const [args, message] of cases) {
    const result = await cli("learning", "add-model", "--config", config, ...args, "--replace");
    assert.equal(result.status, 1, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
  assert.deepEqual(await predictions("small"), before);
});
