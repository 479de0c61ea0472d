import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import type { TraceRecord } from "../../src/stores/trace-record.js";
import { readJournal } from "../../src/stores/sqlite/request-journal.js";
import { closeAll, productionConfig, scriptedUpstreams, startProductionGateway } from "./production-kit.js";

const messages = [{ role: "user", content: "hello there" }];

async function chat(url: string, key: string, requestId: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-request-id": requestId },
    body: JSON.stringify({ model: "a", messages, max_tokens: 5 }),
  });
}

async function feedback(url: string, key: string, requestId: string, score: number): Promise<Response> {
  return fetch(`${url}/v1/feedback`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ request_id: requestId, score }),
  });
}

describe("trace ownership and the request journal", { timeout: 30_000 }, () => {
  test("key B sending key A's request id neither touches A's trace nor can give it feedback; A's feedback works by either id", async () => {
    const upstreams = await scriptedUpstreams("a");
    const { gateway } = await startProductionGateway(productionConfig(upstreams));
    try {
      const a = await gateway.services.keys.create({ name: "team-a" });
      const b = await gateway.services.keys.create({ name: "team-b" });
      const fromA = await chat(gateway.url, a.key, "shared-id-1");
      const gatewayIdA = fromA.headers.get("x-request-id") ?? "";
      assert.notEqual(gatewayIdA, "shared-id-1", "the gateway's own id is answered");
      const fromB = await chat(gateway.url, b.key, "shared-id-1");
      assert.equal(fromB.status, 200);
      const gatewayIdB = fromB.headers.get("x-request-id") ?? "";
      assert.notEqual(gatewayIdB, gatewayIdA);
      // B also names A's gateway id as its own request id: still only an attribute of B's trace.
      await chat(gateway.url, b.key, gatewayIdA);
      await gateway.services.flush();

      const traceA = (await gateway.services.store.traces.get(gatewayIdA)) as TraceRecord;
      assert.equal(traceA.keyId, a.record.id, "A's trace is still A's");
      assert.equal(traceA.clientRequestId, "shared-id-1");
      assert.equal((await gateway.services.store.traces.list({ keyId: b.record.id })).length, 2);

      assert.equal((await feedback(gateway.url, a.key, gatewayIdB, 0)).status, 404, "A cannot address B's trace by B's gateway id");
      assert.equal((await feedback(gateway.url, a.key, "shared-id-1", 0.9)).status, 200, "A by its own client id");
      assert.equal((await feedback(gateway.url, b.key, "shared-id-1", 0.1)).status, 200, "B by its own client id: its own trace");
      assert.equal((await feedback(gateway.url, a.key, gatewayIdA, 1)).status, 200, "A by the gateway id");
      assert.equal((await gateway.services.store.traces.get(gatewayIdA))?.feedback?.score, 1);
      assert.equal((await gateway.services.store.traces.get(gatewayIdB))?.feedback?.score, 0.1);
      // B's third request used A's gateway id as its own client id: B's feedback by it lands on B's own trace.
      assert.equal((await feedback(gateway.url, b.key, gatewayIdA, 0.3)).status, 200);
      assert.equal((await gateway.services.store.traces.findByClientRequestId(b.record.id, gatewayIdA))?.feedback?.score, 0.3);
      assert.equal((await gateway.services.store.traces.get(gatewayIdA))?.feedback?.score, 1, "A's feedback untouched");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("a response the client received whole (JSON or stream) has its journal line on file already; concurrent ones share writes", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-journal-"));
    const path = join(directory, "store.db");
    const store = createSqliteStore({ path, journal: true });
    // A slow disk: each group's promise settles 30 ms after its write. A transport that did not wait for
    // it would answer before the line counts as durable.
    const journal = store.journal;
    assert.ok(journal !== undefined);
    const durable = new Set<string>();
    Object.assign(store, {
      journal: {
        append: (entry: { trace?: TraceRecord }) =>
          journal.append(entry).then(
            () =>
              new Promise<void>((resolve) =>
                setTimeout(() => {
                  if (entry.trace !== undefined) durable.add(entry.trace.id);
                  resolve();
                }, 30),
              ),
          ),
        flush: () => journal.flush(),
        position: () => journal.position(),
      },
    });
    const upstreams = await scriptedUpstreams("a");
    const { gateway } = await startProductionGateway(productionConfig(upstreams), { store, ownsStore: true });
    try {
      const journalPath = `${path}.journal-${process.pid}`;
      assert.ok(existsSync(journalPath));
      const { key } = await gateway.services.keys.create({ name: "team", budgetUsd: 100 });
      const missing: string[] = [];
      await Promise.all(
        Array.from({ length: 24 }, async (_, index) => {
          const stream = index % 2 === 1;
          const response = await fetch(`${gateway.url}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
            body: JSON.stringify({ model: "a", messages, max_tokens: 5, stream }),
          });
          const body = await response.text();
          assert.equal(response.status, 200, body);
          if (stream) assert.match(body, /\[DONE\]/);
          // The moment the client holds the whole response, its trace and settlement are on file.
          const id = response.headers.get("x-request-id") ?? "";
          const line = readJournal(journalPath, 0).find((entry) => entry.entry.trace?.id === id);
          if (line === undefined || line.entry.settlement === undefined || !durable.has(id)) missing.push(id);
        }),
      );
      assert.deepEqual(missing, []);
      assert.ok(readFileSync(journalPath, "utf8").split("\n").filter(Boolean).length >= 24);
    } finally {
      await closeAll(gateway, upstreams);
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test("what a crashed process journaled beyond the file is applied once at the next open", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-journal-"));
    const path = join(directory, "store.db");
    try {
      const first = createSqliteStore({ path, journal: true });
      const journal = first.journal;
      assert.ok(journal !== undefined);
      const trace = (id: string): TraceRecord => ({
        id, createdAt: 1, endpoint: "/v1/chat/completions", keyId: "k1", requestedModel: "a", servedModel: "a", stream: false, status: 200, errorCode: null,
        latencyMs: 1, upstreamMs: 1, decision: null, attempts: [], fallbacks: 0, inputTokens: 3, outputTokens: 5, costUsd: 0.25,
      });
      const settlement = { keyId: "k1", periodStart: 0, reservedUsd: 0.5, actualUsd: 0.25, inputTokens: 3, outputTokens: 5 };
      // Both lines leave in one group write; the responses waited for it.
      await Promise.all([journal.append({ trace: trace("t1"), settlement }), journal.append({ trace: trace("t2"), settlement })]);
      // The first store "crashes": nothing reached its file. A second open applies the journal…
      const second = createSqliteStore({ path, journal: true });
      await (async () => {
        assert.equal((await second.traces.list()).length, 2);
        assert.equal((await second.usage.totals("k1", 0)).spentUsd, 0.5);
        assert.equal((await second.usage.totals("k1", 0)).requests, 2);
        await second.close();
        // …once: a third open finds nothing more to apply.
        const third = createSqliteStore({ path, journal: true });
        assert.equal((await third.usage.totals("k1", 0)).spentUsd, 0.5);
        assert.equal((await third.traces.list()).length, 2);
        await third.close();
        assert.equal(existsSync(`${path}.journal-${process.pid}`), false, "a cleanly closed store leaves no journal");
      })();
    } finally {
      setTimeout(() => rmSync(directory, { recursive: true, force: true }), 100).unref();
    }
  });
});
