import assert from "node:assert/strict";
import { describe, test } from "node:test";
import OpenAI from "openai";
import type { Behaviour } from "./scripted-upstream.js";
import { closeAll, fastResilience, movableClock, productionConfig, scriptedUpstreams, startProductionGateway } from "./production-kit.js";

const messages = [{ role: "user" as const, content: "hello there" }];

describe("the official SDK against upstreams that fail on purpose", { timeout: 60_000 }, () => {
  // Retryable failures only: an upstream 400/404/413/422 ends the request without a fallback (test/hostile).
  const failures: Behaviour[] = ["500", "503", "429", "reset", "malformed", "hang", { status: 401 }, { status: 502, body: "<html>bad gateway</html>" }];

  for (const failure of failures) {
    const name = typeof failure === "object" ? `HTTP ${failure.status}` : failure;
    test(`${name} on the two best targets: plain and streamed requests are served by the healthy third`, async () => {
      const upstreams = await scriptedUpstreams("a", "b", "c");
      upstreams.a?.script(failure);
      upstreams.b?.script(failure);
      const { gateway, client } = await startProductionGateway(productionConfig(upstreams));
      try {
        const started = Date.now();
        const { data, response } = await client.chat.completions.create({ model: "auto", messages }).withResponse();
        assert.equal(data.choices[0]?.message.content, "scripted answer");
        assert.equal(data.model, "c");
        assert.equal(response.headers.get("x-switchyard-model"), "c");
        assert.equal(response.headers.get("x-switchyard-fallbacks"), "2");
        assert.ok(Number(response.headers.get("x-switchyard-cost-usd")) > 0);

        const stream = await client.chat.completions.create({ model: "auto", messages, stream: true });
        let text = "";
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        assert.equal(text, "scripted answer");
        assert.ok(Date.now() - started < 5_000, "nothing waits for long");
        await gateway.services.flush();
        const [streamed, plain] = await gateway.services.store.traces.list();
        assert.equal(plain?.servedModel, "c");
        assert.equal(streamed?.stream, true);
        assert.ok((plain?.attempts.length ?? 0) >= 3, "the failures are in the trace");
        assert.ok(plain?.attempts.slice(0, -1).every((attempt) => attempt.outcome !== "ok"));
      } finally {
        await closeAll(gateway, upstreams);
      }
    });
  }

  test("a stream cut after its first byte ends with an SSE error event and a closed stream, never a hang", async () => {
    const upstreams = await scriptedUpstreams("a", "b");
    upstreams.a?.script("cut");
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams));
    try {
      const stream = await client.chat.completions.create({ model: "auto", messages, stream: true });
      let text = "";
      await assert.rejects(async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      }, (error: unknown) => error instanceof OpenAI.APIError && /stream/i.test(error.message));
      assert.equal(text, "partial ", "what arrived before the cut was delivered, and no fallback mixed in another answer");
      assert.equal(upstreams.b?.seen.length, 0);
      await gateway.services.flush();
      const [trace] = await gateway.services.store.traces.list();
      assert.equal(trace?.errorCode, "upstream_error");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("a stream whose first byte never comes falls back before anything was sent", async () => {
    const upstreams = await scriptedUpstreams("a", "b");
    upstreams.a?.script("slow-first-byte");
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams));
    try {
      const stream = await client.chat.completions.create({ model: "auto", messages, max_tokens: 5, stream: true, stream_options: { include_usage: true } });
      let text = "";
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        usage = chunk.usage ?? usage;
      }
      assert.equal(text, "scripted answer");
      assert.equal(usage?.completion_tokens, 5);
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("429 with retry-after / retry-after-ms: the gateway waits that long and retries the same target", async () => {
    const upstreams = await scriptedUpstreams("a", "b");
    upstreams.a!.retryAfter = "0.2";
    upstreams.a?.script("429", "ok");
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams));
    try {
      let started = Date.now();
      const first = await client.chat.completions.create({ model: "auto", messages });
      assert.equal(first.model, "a");
      assert.ok(Date.now() - started >= 190, "waited for retry-after");
      upstreams.a?.script({ status: 429, headers: { "retry-after-ms": "120" } }, "ok");
      started = Date.now();
      assert.equal((await client.chat.completions.create({ model: "auto", messages })).model, "a");
      assert.ok(Date.now() - started >= 110);
      upstreams.a!.retryAfter = "30";
      upstreams.a?.script("429");
      assert.equal((await client.chat.completions.create({ model: "auto", messages })).model, "b", "a long retry-after is not waited for: fallback");
      assert.equal(gateway.services.breakers.phase("a"), "open", "and the target cools down for that long");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("the breaker opens after N failures, stops traffic, probes after the cooldown and closes", async () => {
    const upstreams = await scriptedUpstreams("a", "b");
    upstreams.a?.script("503");
    const clock = movableClock();
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams), { now: clock.now });
    try {
      for (let i = 0; i < 2; i++) assert.equal((await client.chat.completions.create({ model: "auto", messages })).model, "b");
      assert.equal(gateway.services.breakers.phase("a"), "open");
      const seenWhenOpened = upstreams.a?.seen.length;
      for (let i = 0; i < 5; i++) assert.equal((await client.chat.completions.create({ model: "auto", messages })).model, "b");
      assert.equal(upstreams.a?.seen.length, seenWhenOpened, "an open breaker sends the target no traffic");
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      assert.match(metrics, /switchyard_circuit_breaker_state\{target="a"\} 2/);
      assert.match(metrics, /switchyard_fallbacks_total\{from="a",to="b"\} 2/);

      upstreams.a?.script("ok");
      clock.offset += 1_000;
      assert.equal(gateway.services.breakers.phase("a"), "half-open");
      assert.equal((await client.chat.completions.create({ model: "auto", messages })).model, "a", "the probe goes to a and succeeds");
      assert.equal(gateway.services.breakers.phase("a"), "closed");
      assert.match(await (await fetch(`${gateway.url}/metrics`)).text(), /switchyard_circuit_breaker_state\{target="a"\} 0/);
      const ready = await fetch(`${gateway.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: "ready", targets: { a: "closed", b: "closed" } });
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("every upstream down: a timely 504/502 with the attempts named, and readiness reflects it", async () => {
    const upstreams = await scriptedUpstreams("a", "b");
    upstreams.a?.script("hang");
    upstreams.b?.script("reset");
    // Cooldowns far longer than the test: with the kit's 1 s, a loaded machine (each request waits for
    // a's 300 ms timeout) sometimes reached the last request after b's cooldown, and b's half-open
    // probe answered instead of "cooling down" — the test measured the machine's speed, not the breaker.
    const breaker = { ...fastResilience.breaker, cooldownMs: 60_000, maxCooldownMs: 60_000 };
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams, { resilience: { ...fastResilience, breaker } }));
    try {
      const started = Date.now();
      await assert.rejects(client.chat.completions.create({ model: "auto", messages }), (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.status, 502);
        assert.match(error.message, /a timeout_first_byte; b connection_reset; b connection_reset/);
        return true;
      });
      assert.ok(Date.now() - started < 3_000);
      for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: "auto", messages }).catch(() => undefined);
      await assert.rejects(client.chat.completions.create({ model: "auto", messages }), (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.status, 502);
        assert.match(error.message, /cooling down/);
        assert.ok(Number(error.headers?.get("retry-after")) >= 1);
        return true;
      });
      const ready = await fetch(`${gateway.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { status: string }).status, "no_upstream");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("a named model gets retries but no fallback to another model", async () => {
    const upstreams = await scriptedUpstreams("a", "b");
    upstreams.a?.script("500", "ok");
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams));
    try {
      assert.equal((await client.chat.completions.create({ model: "a", messages })).model, "a");
      upstreams.a?.script("500");
      await assert.rejects(client.chat.completions.create({ model: "a", messages }), (error: unknown) => error instanceof OpenAI.APIError && error.status === 502);
      assert.equal(upstreams.b?.seen.length, 0);
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("a 400 from the upstream is the client's problem: passed through, no retry, no fallback", async () => {
    const upstreams = await scriptedUpstreams("a", "b");
    upstreams.a?.script({ status: 400, body: JSON.stringify({ error: { message: "max_tokens is too large", type: "invalid_request_error", param: "max_tokens", code: null } }) });
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams));
    try {
      await assert.rejects(client.chat.completions.create({ model: "auto", messages, max_tokens: 100 }), (error: unknown) => {
        return error instanceof OpenAI.BadRequestError && error.param === "max_tokens" && /too large/.test(error.message);
      });
      assert.equal(upstreams.a?.seen.length, 1);
      assert.equal(upstreams.b?.seen.length, 0);
    } finally {
      await closeAll(gateway, upstreams);
    }
  });
});
