import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";

const directory = mkdtempSync(join(tmpdir(), "switchyard-settle-delay-"));
after(() => rmSync(directory, { recursive: true, force: true }));

const settlement = { keyId: "k1", periodStart: 0, reservedUsd: 0.5, actualUsd: 0.25, inputTokens: 10, outputTokens: 20 };

test("journaled settlements: seen at once by this store and by another connection only after settleWriteDelayMs", async () => {
  const path = join(directory, "delay.db");
  const store = createSqliteStore({ path, journal: true, settleWriteDelayMs: 100 });
  const reader = createSqliteStore({ path });
  try {
    assert.ok(store.journal !== undefined);
    const reserved = await store.usage.reserve({ keyId: "k1", periodStart: 0, amountUsd: 0.5, limitUsd: 1 });
    assert.ok(reserved.ok);
    await store.journal.append({ settlement });
    await store.usage.settle(settlement);
    // This store's own budget checks see the spend at once (booked in memory).
    assert.equal((await store.usage.totals("k1", 0)).spentUsd, 0.25);
    await new Promise((resolve) => setImmediate(resolve));
    // Another connection does not see it after a turn: it waits for the interval ...
    assert.equal((await reader.usage.totals("k1", 0)).spentUsd, 0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    // ... and sees it once the interval passed.
    assert.equal((await reader.usage.totals("k1", 0)).spentUsd, 0.25);
  } finally {
    await reader.close();
    await store.close();
  }
});

test("without the journal, settlements reach the file at the end of the turn", async () => {
  const path = join(directory, "turn.db");
  const store = createSqliteStore({ path });
  const reader = createSqliteStore({ path });
  try {
    await store.usage.settle(settlement);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await reader.usage.totals("k1", 0)).spentUsd, 0.25);
  } finally {
    await reader.close();
    await store.close();
  }
});
