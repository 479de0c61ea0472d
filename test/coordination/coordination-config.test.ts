import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/gateway/config.js";
import { redactedRedisUrl } from "../../src/coordination/coordination-config.js";

const base = { upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:1/v1" }], targets: [{ id: "m", inputUsdPerMTok: 1, outputUsdPerMTok: 1 }] };

test("coordination: a redis:// URL or the object form; defaults fail-closed budgets, fail-open rate limits", () => {
  const short = parseConfig({ ...base, coordination: "redis://:pw@127.0.0.1:6379/0" }, "inline.yaml");
  assert.deepEqual(short.coordination, { url: "redis://:pw@127.0.0.1:6379/0", onFailure: { budgets: "fail-closed", rateLimits: "fail-open" }, reservationExpiryMs: 600_000, commandTimeoutMs: 1_000, prefix: "switchyard:" });
  const long = parseConfig({ ...base, coordination: { url: "rediss://cache.internal:6380", onFailure: { rateLimits: "fail-closed" }, reservationExpiryMs: 30_000 } }, "inline.yaml");
  assert.equal(long.coordination?.onFailure.rateLimits, "fail-closed");
  assert.equal(long.coordination?.reservationExpiryMs, 30_000);
  assert.equal(parseConfig(base, "inline.yaml").coordination, undefined);
});

test("bad coordination settings name the field and never echo the URL's password", () => {
  const cases: Array<[unknown, RegExp]> = [
    ["http://user:topsecret@host:6379", /coordination\.url: unsupported scheme "http"/],
    ["redis://user:topsecret@", /coordination\.url: (not a URL|the URL names no host)/],
    ["not a url topsecret", /coordination\.url: not a URL/],
    ["redis://:topsecret@host/abc", /coordination\.url: the path must be a database number/],
    [{ url: "redis://:topsecret@host", onFailure: { budgets: "maybe" } }, /coordination\.onFailure\.budgets/],
    [{ url: "redis://:topsecret@host", reservationExpiryMs: 10 }, /coordination\.reservationExpiryMs/],
    [{ url: "redis://:topsecret@host", onFailur: {} }, /unknown field "onFailur"/],
  ];
  for (const [coordination, expected] of cases) {
    assert.throws(() => parseConfig({ ...base, coordination }, "inline.yaml"), (error: Error & { code?: string }) => {
      assert.equal(error.code, "invalid_config");
      assert.match(error.message, expected);
      assert.doesNotMatch(error.message, /topsecret/);
      return true;
    });
  }
});

test("redactedRedisUrl hides user and password", () => {
  assert.equal(redactedRedisUrl("redis://admin:pw@h:1/2"), "redis://***:***@h:1/2");
  assert.equal(redactedRedisUrl("redis://:pw@h:1"), "redis://:***@h:1");
  assert.equal(redactedRedisUrl("redis://h:1"), "redis://h:1");
});
