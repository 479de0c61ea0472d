import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { parseConfig } from "../../src/gateway/config.js";
import { createGateway } from "../../src/gateway/create-gateway.js";
import { startGateway, type RunningServer } from "../../src/gateway/serve.js";
import { priciestEngine, scriptedServer } from "./gateway-strategies-kit.js";

const base = {
  targets: [
    { id: "big", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
    { id: "coder", inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
    { id: "small-coder", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.2 },
    { id: "chef", inputUsdPerMTok: 0.5, outputUsdPerMTok: 1 },
  ],
};
const policy = {
  routes: [
    { name: "code", description: "writing or fixing source code in python or javascript", examples: ["write a python function to reverse a string", "fix this javascript bug in my function"], models: ["coder", "small-coder"], threshold: 0.2 },
    { name: "cooking", description: "recipes and cooking questions", examples: ["give me a recipe for lasagna", "how do i cook rice"], model: "chef", threshold: 0.2 },
  ],
  default: { models: ["big", "coder", "small-coder", "chef"] },
  rules: [{ name: "cheap-tier", when: { "metadata.tier": "free" }, then: { route: "code", quality: 0.1 } }],
};

describe("route policy in the production gateway (two routes restrict the router's candidates)", () => {
  const servers: RunningServer[] = [];
  let client: OpenAI;
  let engine: ReturnType<typeof priciestEngine>;

  before(async () => {
    const upstream = await scriptedServer((content) => `answer to: ${content}`);
    servers.push(upstream);
    const config = parseConfig({ ...base, upstreams: [{ name: "echo", baseUrl: `${upstream.url}/v1` }], policy }, "policy.yaml");
    engine = priciestEngine(config.targets);
    const gateway = await startGateway({ config, engine, port: 0 });
    servers.push(gateway);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
  });

  after(async () => {
    for (const server of servers.reverse()) await server.close();
  });

  const ask = (content: string, extra: Record<string, unknown> = {}) => client.chat.completions.create({ model: "auto", messages: [{ role: "user", content }], ...extra }).withResponse();

  test("a code prompt is routed among the code route's models only", async () => {
    const { response } = await ask("write a python function to sort a list");
    assert.equal(response.headers.get("x-switchyard-route"), "code");
    // The engine picks the priciest allowed target: without the policy that would be "big".
    assert.equal(response.headers.get("x-switchyard-model"), "coder");
    assert.deepEqual([...(engine.seen[engine.seen.length - 1]?.only ?? [])].sort(), ["coder", "small-coder"]);
    assert.equal(response.headers.get("x-switchyard-guard"), null, "no guard configured, no guard header");
  });

  test("a cooking prompt goes to the cooking route's single model", async () => {
    const { data, response } = await ask("give me a recipe for pancakes");
    assert.equal(response.headers.get("x-switchyard-route"), "cooking");
    assert.equal(response.headers.get("x-switchyard-model"), "chef");
    assert.equal(data.choices[0]?.message.content, "answer to: give me a recipe for pancakes");
  });

  test("an unmatched prompt takes the default route; a rule on metadata decides outright", async () => {
    const unmatched = await ask("what is the capital of peru");
    assert.equal(unmatched.response.headers.get("x-switchyard-route"), "default");
    assert.equal(unmatched.response.headers.get("x-switchyard-model"), "big");

    const ruled = await ask("what is the capital of peru", { metadata: { tier: "free" } });
    assert.equal(ruled.response.headers.get("x-switchyard-route"), "code");
    assert.equal(ruled.response.headers.get("x-switchyard-model"), "coder");
  });

  test("policy and guard configs are checked at start-up", async () => {
    assert.throws(() => parseConfig({ ...base, upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], policy: { ...policy, matcher: { kind: "similarity", topk: 5 } } }, "p.yaml"), /p\.yaml: policy\.matcher: unknown field "topk"/);
    const unknownModel = parseConfig({ ...base, upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], policy: { ...policy, default: { model: "gpt-9" } } }, "p.yaml");
    await assert.rejects(startGateway({ config: unknownModel, engine: priciestEngine(unknownModel.targets), port: 0 }), /policy\.default: unknown target "gpt-9"/);
    const configured = parseConfig({ ...base, upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], policy }, "p.yaml");
    assert.throws(() => createGateway(configured, { engine: priciestEngine(configured.targets) }), /policy: configured but not built/);
  });
});
