import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import { routedTrace } from "../dashboard/dashboard-fixtures.js";

const at = Date.UTC(2026, 11, 5, 10);

for (const [kind, open] of [["memory", createMemoryStore], ["sqlite", () => createSqliteStore({ path: ":memory:" })]] as const) {
  test(`${kind}: trace search (substring, case-insensitive, % and _ literal, exact id) and cursor pages with equal timestamps`, async () => {
    const store = open();
    await store.traces.insertMany([
      routedTrace({ id: "req_1", createdAt: at, served: "mistral-7b", strong: [0.9, 0.01], cheap: [0.5, 0.001], costUsd: 0.001, latencyMs: 10, prompt: "100% Sure_thing" }),
      routedTrace({ id: "req_2", createdAt: at, served: "gpt-4-1106-preview", strong: [0.9, 0.01], cheap: [0.5, 0.001], costUsd: 0.01, latencyMs: 10, prompt: "1000 sure things" }),
      routedTrace({ id: "req_3", createdAt: at, served: "mistral-7b", strong: [0.9, 0.01], cheap: [0.5, 0.001], costUsd: 0.001, latencyMs: 10 }),
      routedTrace({ id: "req_4", createdAt: at - 1, served: null, strong: [0.9, 0.01], cheap: [0.5, 0.001], costUsd: null, latencyMs: 10, status: 502, errorCode: "upstream_error" }),
    ]);
    const ids = async (filter: Parameters<typeof store.traces.list>[0]) => (await store.traces.list(filter)).map((trace) => trace.id);
    assert.deepEqual(await ids({ search: "0% sure" }), ["req_1"], "% is a literal character");
    assert.deepEqual(await ids({ search: "e_t" }), ["req_1"], "_ is a literal character");
    assert.deepEqual(await ids({ search: "GPT-4" }), ["req_2"]);
    assert.deepEqual(await ids({ search: "UPSTREAM" }), ["req_4"]);
    assert.deepEqual(await ids({ search: "req_3" }), ["req_3"], "an exact request id");
    const first = await store.traces.list({ limit: 2 });
    assert.deepEqual(first.map((trace) => trace.id), ["req_3", "req_2"]);
    const last = first.at(-1)!;
    assert.deepEqual(await ids({ limit: 2, before: { createdAt: last.createdAt, id: last.id } }), ["req_1", "req_4"], "ties on time are split by id, none repeated or skipped");
    await store.close();
  });
}
