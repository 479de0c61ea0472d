import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import type { RouterArtifact } from "../../src/artifacts/router-artifact.js";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import type { RoutingEngine } from "../../src/core/routing-engine.js";
import { parseConfig } from "../../src/gateway/config.js";
import { createGatewayServices, type GatewayServices } from "../../src/gateway/gateway-services.js";
import { startGateway, type GatewayServer, type RunningServer } from "../../src/gateway/serve.js";
import { createOnlineLearner, type OnlineLearner } from "../../src/learning/online-learner.js";
import { restoreOnlineRouter } from "../../src/learning/restore-online-router.js";
import { isOnlineRouter } from "../../src/routers/online-router.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const examples = syntheticRoutingExamples(60, 5, "train");
let replay: RunningServer;
let gateway: GatewayServer;
let services: GatewayServices;
let learner: OnlineLearner;
let engine: RoutingEngine;
const keys: Record<string, string> = {};

before(async () => {
  const artifact: RouterArtifact = await trainRouterArtifact({ examples, models: ["small", "big"], router: "eps-greedy", dataset: "synthetic", split: "train", now: () => new Date(0) });
  // Every answer is this JSON text, so the json-schema signal's reward is known.
  replay = await startReplayUpstream({ examples, fallback: { text: '{"answer": 42}' } });
  const config = parseConfig(
    {
      upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1` }],
      targets: [
        { id: "small", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1 },
        { id: "big", inputUsdPerMTok: 5, outputUsdPerMTok: 5 },
      ],
      learning: { signals: [{ kind: "json-schema" }] },
    },
    "inline",
  );
  const store = createMemoryStore();
  const restored = await restoreOnlineRouter({ artifact, repository: store.learning, targets: ["small", "big"] });
  engine = await createRoutingEngine({ artifact: restored!.artifact, targets: config.targets });
  assert.ok(engine.router && isOnlineRouter(engine.router));
  learner = createOnlineLearner({ router: engine.router, repository: store.learning, config: config.learning, storeText: false, seq: 0, updates: 0 });
  services = createGatewayServices(config, { store });
  for (const name of ["alice", "bob"]) keys[name] = (await services.keys.create({ name })).key;
  gateway = await startGateway({ config, engine, services, learner, port: 0, host: "127.0.0.1" });
});
after(async () => {
  await gateway?.close();
  await replay?.close();
});

test("through the gateway: streamed and plain answers teach the json-schema signal; feedback only for the key's own requests, once", async () => {
  const alice = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: keys.alice, maxRetries: 0 });
  const bob = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: keys.bob, maxRetries: 0 });
  const messages = [{ role: "user" as const, content: examples[0]!.prompt }];
  const plain = await alice.chat.completions.create({ model: "auto", messages, response_format: { type: "json_object" } }).withResponse();
  const plainId = plain.response.headers.get("x-request-id")!;
  const stream = await alice.chat.completions.create({ model: "auto", messages, stream: true, response_format: { type: "json_object" } }).withResponse();
  let text = "";
  for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? "";
  assert.equal(text, '{"answer": 42}');
  const streamId = stream.response.headers.get("x-request-id")!;
  await alice.chat.completions.create({ model: "auto", messages });
  await learner.flush();
  const signals = (await services.store.learning.updatesAfter(0)).filter((update) => update.source === "signal");
  assert.deepEqual(signals.map((update) => [update.requestId, update.reward]).sort(), [[plainId, 1], [streamId, 1]].sort());

  // Bob cannot rate Alice's request (404, as if unknown), and nothing is learned from his attempt.
  const before = learner.updates();
  await assert.rejects(bob.post("/feedback", { body: { request_id: plainId, score: 0 } }), (error: unknown) => error instanceof OpenAI.APIError && error.status === 404);
  assert.equal(learner.updates(), before);
  const ok = (await alice.post("/feedback", { body: { request_id: plainId, score: 0.25, label: "meh" } })) as { learned: boolean };
  assert.equal(ok.learned, true);
  await assert.rejects(alice.post("/feedback", { body: { request_id: plainId, score: 1 } }), (error: unknown) => error instanceof OpenAI.APIError && error.status === 409 && error.code === "feedback_exists");
  assert.equal(learner.updates(), before + 1);
  await services.flush();
  const trace = await services.store.traces.get(plainId);
  assert.deepEqual(trace?.feedback && { score: trace.feedback.score, label: trace.feedback.label }, { score: 0.25, label: "meh" });
  // A named model is not routed by the bandit: its feedback is stored, not learned.
  const named = await alice.chat.completions.create({ model: "small", messages }).withResponse();
  const namedFeedback = (await alice.post("/feedback", { body: { request_id: named.response.headers.get("x-request-id"), score: 1 } })) as { learned: boolean };
  assert.equal(namedFeedback.learned, false);
  assert.equal(learner.updates(), before + 1);
});
