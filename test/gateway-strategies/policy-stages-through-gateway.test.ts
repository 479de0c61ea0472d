import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import type { RoutingEngine } from "../../src/core/routing-engine.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import { parseConfig } from "../../src/gateway/config.js";
import { startGateway, type RunningServer } from "../../src/gateway/serve.js";
import { startReplayUpstream } from "../../src/testing/replay-upstream.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { createManualTimer } from "../guard/manual-timer.js";
import { hangingServer, priciestEngine, scriptedServer, startStagedGateway, type HangingServer } from "./gateway-strategies-kit.js";

type Routed = ChatCompletionCreateParamsNonStreaming & { quality?: number; metadata?: Record<string, string> };

const toyTargets = [
  { id: "big", upstream: "echo", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
  { id: "coder", upstream: "echo", inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
  { id: "small-coder", upstream: "echo", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.2 },
  { id: "chef", upstream: "echo", inputUsdPerMTok: 0.5, outputUsdPerMTok: 1 },
  { id: "tool-model", upstream: "echo", inputUsdPerMTok: 0.3, outputUsdPerMTok: 0.3 },
  { id: "arch-router", upstream: "judge", inputUsdPerMTok: 0.01, outputUsdPerMTok: 0.01 },
];
const toyRoutes = [
  { name: "code", description: "writing or fixing source code in python or javascript", examples: ["write a python function to reverse a string", "fix this javascript bug in my function"], models: ["coder", "small-coder"], threshold: 0.2 },
  { name: "cooking", description: "recipes and cooking questions", examples: ["give me a recipe for lasagna", "how do i cook rice"], model: "chef", threshold: 0.2 },
];
const toyDefault = { models: ["big", "coder", "small-coder", "chef", "tool-model"] };

describe("route policy through the gateway: the LLM judge within its latency budget, and rules on request metadata", () => {
  const servers: RunningServer[] = [];
  const judgeSeen: string[] = [];
  let hanging: HangingServer;
  let judged: OpenAI;
  let lateJudge: OpenAI;
  let ruled: OpenAI;
  // The late judge's budget runs out only when the test says so (no sleeping, no race with the upstream).
  const budget = createManualTimer();

  before(async () => {
    const echo = await scriptedServer((content) => `answer to: ${content}`);
    // Arch-Router style judge: it reads the route descriptions and (deliberately) always answers "cooking".
    const judge = await scriptedServer(() => '{"route": "cooking"}', judgeSeen);
    hanging = await hangingServer();
    servers.push(echo, judge, hanging);
    const start = async (judgeUrl: string, policy: Record<string, unknown>, timer?: ReturnType<typeof createManualTimer>["timer"]) => {
      const config = parseConfig(
        {
          upstreams: [
            { name: "echo", baseUrl: `${echo.url}/v1` },
            { name: "judge", baseUrl: `${judgeUrl}/v1` },
          ],
          targets: toyTargets,
          policy,
        },
        "policy.yaml",
      );
      const engine = priciestEngine(config.targets.filter((target) => target.id !== "arch-router"));
      return startStagedGateway(config, engine, servers, timer);
    };
    judged = await start(judge.url, { routes: toyRoutes, default: toyDefault, judge: { target: "arch-router", latencyBudgetMs: 10_000 } });
    // The judge never answers: when its budget runs out the embedding decision stands.
    lateJudge = await start(hanging.url, { routes: toyRoutes, default: toyDefault, judge: { target: "arch-router", latencyBudgetMs: 30 } }, budget.timer);
    ruled = await start(judge.url, {
      routes: toyRoutes,
      default: toyDefault,
      rules: [
        { name: "recipes-tag", when: { tags: "recipes" }, then: { route: "cooking" } },
        { name: "tools", when: { hasTools: true }, then: { models: ["tool-model"] } },
        { name: "free-long", when: { "metadata.tier": { in: ["free"] }, promptTokens: { gt: 50 } }, then: { route: "code", models: ["small-coder"] } },
        { name: "vip", when: { user: { matches: "^vip-" } }, then: { route: "default" } },
      ],
    });
  });

  after(async () => {
    for (const server of servers.reverse()) await server.close();
  });

  const ask = (client: OpenAI, content: string, extra: Partial<Routed> = {}) => client.chat.completions.create({ model: "auto", messages: [{ role: "user", content }], ...extra } as Routed).withResponse();

  test("a judge answering within its budget decides the route (over the matcher)", async () => {
    const { response } = await ask(judged, "write a python function to sort a list");
    assert.equal(response.headers.get("x-switchyard-route"), "cooking");
    assert.equal(response.headers.get("x-switchyard-model"), "chef");
    assert.match(judgeSeen[judgeSeen.length - 1] ?? "", /<routes>\n\[\{"name":"code","description":"writing or fixing source code/);
  });

  test("a judge slower than its latency budget is abandoned and the embedding decision stands", { timeout: 20_000 }, async () => {
    const codeAsked = ask(lateJudge, "write a python function to sort a list");
    await hanging.received(1);
    budget.fire();
    const code = await codeAsked;
    assert.equal(code.response.headers.get("x-switchyard-route"), "code");
    assert.equal(code.response.headers.get("x-switchyard-model"), "coder");
    const cookingAsked = ask(lateJudge, "give me a recipe for pancakes");
    await hanging.received(2);
    budget.fire();
    const cooking = await cookingAsked;
    assert.equal(cooking.response.headers.get("x-switchyard-route"), "cooking");
    await hanging.abandoned(2);
    assert.equal(hanging.seen.length, 2);
  });

  test("rules on tags (metadata.tags), tools, user and prompt length with tier compose with the policy", async () => {
    const tagged = await ask(ruled, "what is the capital of peru", { metadata: { tags: "travel, recipes" } });
    assert.deepEqual([tagged.response.headers.get("x-switchyard-route"), tagged.response.headers.get("x-switchyard-model")], ["cooking", "chef"]);

    const tools = await ask(ruled, "write a python function to sort a list", { tools: [{ type: "function", function: { name: "run_code", parameters: { type: "object", properties: {} } } }] });
    // The tools rule replaces the candidates; the matcher still names the route.
    assert.deepEqual([tools.response.headers.get("x-switchyard-route"), tools.response.headers.get("x-switchyard-model")], ["code", "tool-model"]);

    const long = "please explain in detail what the capital of peru is and why it was chosen, ".repeat(4);
    const freeLong = await ask(ruled, long, { metadata: { tier: "free" } });
    assert.deepEqual([freeLong.response.headers.get("x-switchyard-route"), freeLong.response.headers.get("x-switchyard-model")], ["code", "small-coder"]);
    const freeShort = await ask(ruled, "what is the capital of peru", { metadata: { tier: "free" } });
    assert.deepEqual([freeShort.response.headers.get("x-switchyard-route"), freeShort.response.headers.get("x-switchyard-model")], ["default", "big"]);

    const vip = await ask(ruled, "give me a recipe for pancakes", { user: "vip-42" });
    assert.deepEqual([vip.response.headers.get("x-switchyard-route"), vip.response.headers.get("x-switchyard-model")], ["default", "big"]);
    const regular = await ask(ruled, "give me a recipe for pancakes", { user: "someone" });
    assert.equal(regular.response.headers.get("x-switchyard-route"), "cooking");
  });
});

describe("two-step routing through the gateway: the policy picks a category, the trained knn router picks among its models", () => {
  const servers: RunningServer[] = [];
  let client: OpenAI;
  let engine: RoutingEngine;
  let prompts: string[];
  const routeModels: Record<string, string[]> = {
    code: ["meta/code-llama-instruct-34b-chat", "gpt-3.5-turbo-1106", "mistralai/mistral-7b-chat"],
    reasoning: ["claude-instant-v1", "mistralai/mixtral-8x7b-chat", "zero-one-ai/Yi-34B-Chat"],
  };

  before(async () => {
    const dataset = await loadDataset("examples/demo/routerbench-sample.jsonl");
    const train = dataset.examples.filter((example) => example.split === "train");
    const artifact = await trainRouterArtifact({ examples: train, models: dataset.models, router: "knn", dataset: "demo", split: "train", params: { k: 10, power: 1, priorWeight: 1 }, now: () => new Date(0) });
    const prices = JSON.parse(await readFile("examples/demo/models.json", "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
    const replay = await startReplayUpstream({ examples: dataset.examples, fallback: { text: "ok" } });
    servers.push(replay);
    const examplesOf = (task: string) => train.filter((example) => example.task === task).slice(0, 8).map((example) => normalizePromptText(example.prompt));
    const config = parseConfig(
      {
        upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1` }],
        targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
        policy: {
          routes: [
            { name: "code", description: "write a python function; programming tasks", examples: examplesOf("mbpp"), models: routeModels.code },
            { name: "reasoning", description: "multiple-choice science questions and commonsense sentence completion", examples: [...examplesOf("arc-challenge"), ...examplesOf("winogrande")], models: routeModels.reasoning },
          ],
          default: { models: dataset.models },
          matcher: { kind: "similarity", topK: 3, threshold: 0 },
          rules: [{ name: "free", when: { "metadata.tier": "free" }, then: { quality: 0 } }],
        },
      },
      "two-step.yaml",
    );
    engine = await createRoutingEngine({ artifact, targets: config.targets });
    const gateway = await startGateway({ config, engine, port: 0 });
    servers.push(gateway);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
    const testSplit = dataset.examples.filter((example) => example.split === "test");
    prompts = ["mbpp", "arc-challenge", "winogrande"].flatMap((task) => testSplit.filter((example) => example.task === task).slice(0, 3).map((example) => normalizePromptText(example.prompt)));
  });

  after(async () => {
    for (const server of servers.reverse()) await server.close();
  });

  test("each answer comes from the learned router's best model among the chosen route's models, and the restriction changes choices", async () => {
    let restricted = 0;
    const routesSeen = new Set<string>();
    for (const content of prompts) {
      for (const quality of [0.2, 1]) {
        const { response } = await client.chat.completions.create({ model: "auto", quality, messages: [{ role: "user", content }] } as Routed).withResponse();
        const route = response.headers.get("x-switchyard-route") ?? "";
        const served = response.headers.get("x-switchyard-model") ?? "";
        assert.ok(route in routeModels, `route ${route} for ${content.slice(0, 40)}`);
        routesSeen.add(route);
        const only = new Set(routeModels[route]);
        assert.ok(only.has(served), `${served} is not one of the ${route} route's models`);
        const expected = await engine.decide({ messages: [{ role: "user", content }], options: { quality } }, { only });
        assert.equal(served, expected.model, "the served model is the knn router's choice within the route");
        assert.equal(response.headers.get("x-switchyard-router"), "knn");
        const unrestricted = await engine.decide({ messages: [{ role: "user", content }], options: { quality } });
        if (!only.has(unrestricted.model)) restricted += 1;
      }
    }
    assert.deepEqual([...routesSeen].sort(), ["code", "reasoning"]);
    assert.ok(restricted > 0, "without the policy, the router would have chosen models outside the route at least once");
  });

  test("a rule's quality knob composes with the route: the learned router then picks within the route at that quality", async () => {
    let changed = 0;
    for (const content of prompts) {
      const { response } = await client.chat.completions.create({ model: "auto", quality: 1, metadata: { tier: "free" }, messages: [{ role: "user", content }] } as Routed).withResponse();
      const only = new Set(routeModels[response.headers.get("x-switchyard-route") ?? ""]);
      const atRuleQuality = await engine.decide({ messages: [{ role: "user", content }], options: { quality: 0 } }, { only });
      const atAskedQuality = await engine.decide({ messages: [{ role: "user", content }], options: { quality: 1 } }, { only });
      assert.equal(response.headers.get("x-switchyard-model"), atRuleQuality.model);
      if (atRuleQuality.model !== atAskedQuality.model) changed += 1;
    }
    assert.ok(changed > 0, "the rule's quality 0 changed the choice for at least one prompt");
  });
});
