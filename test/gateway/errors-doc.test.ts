import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { errorCodes } from "../../src/core/errors.js";

const docPath = join(dirname(fileURLToPath(import.meta.url)), "../../docs/errors.md");

/** Rows of the codes table: `| \`code\` | status | \`type\` | retryable | meaning |`. */
async function documentedCodes(): Promise<Map<string, { status: number; type: string; meaning: string }>> {
  const rows = new Map<string, { status: number; type: string; meaning: string }>();
  for (const line of (await readFile(docPath, "utf8")).split("\n")) {
    const match = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*`([a-z_]+)`\s*\|[^|]*\|(.*)\|\s*$/.exec(line);
    if (!match) continue;
    const [, code, status, type, meaning] = match as unknown as [string, string, string, string, string];
    assert.ok(!rows.has(code), `docs/errors.md lists ${code} twice`);
    rows.set(code, { status: Number(status), type, meaning: meaning.trim() });
  }
  return rows;
}

test("docs/errors.md documents every registered error code with its status and type", async () => {
  const documented = await documentedCodes();
  for (const [code, entry] of Object.entries(errorCodes)) {
    const row = documented.get(code);
    assert.ok(row, `error code ${code} is missing from docs/errors.md`);
    assert.equal(row.status, entry.status, `docs/errors.md gives ${code} status ${row.status}, the registry ${entry.status}`);
    assert.equal(row.type, entry.type, `docs/errors.md gives ${code} type ${row.type}, the registry ${entry.type}`);
    assert.ok(row.meaning.length > 10, `docs/errors.md explains ${code}`);
  }
});

test("docs/errors.md documents no code that does not exist", async () => {
  const registered = new Set(Object.keys(errorCodes));
  for (const code of (await documentedCodes()).keys()) assert.ok(registered.has(code), `docs/errors.md lists ${code}, which is not in src/core/errors.ts`);
});
