/**
 * What the request journal costs per request: one JSON line (a typical trace and settlement) queued,
 * and its group written with one `write(2)` (group commit: `--group N` requests finishing in the same
 * event-loop turn; 1 = a write per request, the cost before group commit).
 *
 *   npx tsx benchmarks/journal-append.ts [--count 20000] [--group 8]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRequestJournal } from "../src/stores/sqlite/request-journal.js";
import type { TraceRecord } from "../src/stores/trace-record.js";

const countIndex = process.argv.indexOf("--count");
const count = countIndex >= 0 ? Number(process.argv[countIndex + 1]) : 20_000;
const groupIndex = process.argv.indexOf("--group");
const group = groupIndex >= 0 ? Number(process.argv[groupIndex + 1]) : 1;
const directory = mkdtempSync(join(tmpdir(), "switchyard-journal-"));
const journal = openRequestJournal(join(directory, "store.db"));
const trace = (index: number): TraceRecord => ({
  id: `01a24564-e240-7ecd-8a0a-${String(index).padStart(12, "0")}`, createdAt: Date.now(), endpoint: "/v1/chat/completions", keyId: "key_0123456789", requestedModel: "gpt-4o-mini",
  servedModel: "gpt-4o-mini", stream: false, status: 200, errorCode: null, latencyMs: 0.42, upstreamMs: 0.15, decision: null,
  attempts: [{ target: "gpt-4o-mini", attempt: 1, outcome: "ok", status: 200, durationMs: 0.15 }], fallbacks: 0, inputTokens: 112, outputTokens: 11, costUsd: 0.0000234,
});
const settlement = { keyId: "key_0123456789", periodStart: 0, reservedUsd: 0.0012, actualUsd: 0.0000234, inputTokens: 112, outputTokens: 11 };
const samples: number[] = [];
for (let index = 0; index < count; index += group) {
  const entries = Array.from({ length: group }, (_, offset) => ({ trace: trace(index + offset), settlement }));
  const started = process.hrtime.bigint();
  for (const entry of entries) void journal.append(entry);
  journal.flush();
  // Per request: the group's time shared by its requests.
  samples.push(Number(process.hrtime.bigint() - started) / 1000 / group);
}
journal.close();
rmSync(directory, { recursive: true, force: true });
samples.sort((a, b) => a - b);
const at = (q: number) => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN).toFixed(1);
console.log(`journal append, groups of ${group} (${count} lines of ~${Math.round(JSON.stringify({ trace: trace(0), settlement }).length)} bytes): median ${at(0.5)} µs, p99 ${at(0.99)} µs, mean ${(samples.reduce((sum, value) => sum + value, 0) / samples.length).toFixed(1)} µs, max ${((samples.at(-1) ?? 0) / 1000).toFixed(1)} ms`);
