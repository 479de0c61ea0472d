import assert from "node:assert/strict";
import { test } from "node:test";
import { policyConfigSchema } from "../../src/routers/policy/policy-config.js";
import { firstMatchingRule, requestContextOf, ruleSchema, type Rule } from "../../src/routers/policy/request-rules.js";

const rules: Rule[] = [
  { name: "free-long", when: { "metadata.tier": { in: ["free"] }, promptTokens: { gt: 2000 } }, then: { route: "default", quality: 0.1 } },
  { name: "tools", when: { hasTools: true }, then: { models: ["tool-model"] } },
  { name: "tagged", when: { tags: "legal", "metadata.region": { matches: "^eu-" } }, then: { route: "legal" } },
  { name: "no-tier", when: { "metadata.tier": { exists: false } }, then: { quality: 0.5 } },
].map((rule) => ruleSchema.parse(rule));

const longPrompt = "word ".repeat(2000);

test("rules test metadata, prompt length, tools and tags; the first match wins", () => {
  const free = requestContextOf({ messages: [{ role: "user", content: longPrompt }], metadata: { tier: "free" } });
  assert.equal(free.promptTokens > 2000, true);
  assert.equal(firstMatchingRule(rules, free)?.name, "free-long");
  const shortFree = requestContextOf({ messages: [{ role: "user", content: "hi" }], metadata: { tier: "free" }, tools: [{ type: "function" }] });
  assert.equal(firstMatchingRule(rules, shortFree)?.name, "tools");
  const legal = requestContextOf({ messages: [{ role: "user", content: "hi" }], metadata: { tier: "pro", region: "eu-west" }, tags: ["legal", "x"] });
  assert.equal(firstMatchingRule(rules, legal)?.name, "tagged");
  assert.equal(firstMatchingRule(rules, requestContextOf({ messages: [], metadata: { tier: "pro", region: "us-east" }, tags: ["legal"] })), undefined);
  assert.equal(firstMatchingRule(rules, requestContextOf({ messages: [] }))?.name, "no-tier");
});

test("numbers in metadata compare by text, and operators combine", () => {
  const [rule] = [ruleSchema.parse({ when: { "metadata.level": { eq: 2 }, messageCount: { gte: 1, lt: 3 } }, then: { quality: 1 } })];
  assert.ok(firstMatchingRule([rule!], requestContextOf({ messages: [{ role: "user", content: "a" }], metadata: { level: "2" } })));
  assert.equal(firstMatchingRule([rule!], requestContextOf({ messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }, { role: "user", content: "c" }], metadata: { level: "2" } })), undefined);
});

function issueOf(input: unknown): string {
  const parsed = policyConfigSchema.safeParse(input);
  assert.equal(parsed.success, false);
  const issue = parsed.error!.issues[0]!;
  return `${issue.path.join(".")}: ${issue.message}`;
}

const base = { routes: [{ name: "legal", description: "law", model: "big" }], default: { model: "small" } };

test("rule validation errors name the path", () => {
  assert.match(issueOf({ ...base, rules: [{ when: { "metadata.tier": { in: ["free"] }, promtTokens: { gt: 1 } }, then: { route: "legal" } }] }), /^rules\.0\.when\.promtTokens: unknown field "promtTokens"/);
  assert.match(issueOf({ ...base, rules: [{ when: { promptTokens: { greater: 1 } }, then: { route: "legal" } }] }), /^rules\.0\.when\.promptTokens/);
  assert.match(issueOf({ ...base, rules: [{ when: { hasTools: true }, then: { route: "medical" } }] }), /^rules\.0\.then\.route: no route named medical/);
  assert.match(issueOf({ ...base, rules: [{ when: { hasTools: true }, then: {} }] }), /^rules\.0\.then: `then` needs route, models or quality/);
  assert.match(issueOf({ ...base, rules: [{ when: { hasTools: true }, then: { quality: 2 } }] }), /^rules\.0\.then\.quality/);
  assert.match(issueOf({ ...base, rules: [{ when: { model: { matches: "(" } }, then: { quality: 1 } }] }), /^rules\.0\.when\.model\.matches: not a valid regular expression/);
  assert.match(issueOf({ ...base, rules: [{ when: { hasTools: true }, then: { quality: 1 }, otherwise: {} }] }), /^rules\.0: Unrecognized key/);
});

test("policy validation errors name the path", () => {
  assert.match(issueOf({ ...base, routes: [{ name: "legal", description: "law" }] }), /^routes\.0\.model: give exactly one of `model` or `models`/);
  assert.match(issueOf({ ...base, routes: [...base.routes, { name: "legal", description: "again", model: "x" }] }), /^routes\.1\.name: route legal is declared twice/);
  assert.match(issueOf({ ...base, matcher: { kind: "similarity", topk: 3 } }), /^matcher: Unrecognized key.*topk/);
  assert.match(issueOf({ ...base, routes: [{ name: "default", description: "x", model: "y" }] }), /^routes\.0\.name: `default` is reserved/);
});
