import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LabelJournal } from "../../src/labelling/label-journal.js";
import { isSampled, labelPromptsFromTraces, readLabelPrompts } from "../../src/labelling/label-prompt.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import type { TraceRecord } from "../../src/stores/trace-record.js";
import { createExactMatchScorer, createJudgeLabelScorer, loadModuleScorer } from "../../src/labelling/label-scorer.js";
import type { ChatCaller } from "../../src/strategies/chat-caller.js";

const judge = { id: "judge", inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 128_000 };

function scriptedCaller(replies: string[]): ChatCaller & { calls: number } {
  const caller = Object.assign(
    async () => {
      const text = replies[caller.calls++] ?? "";
      return { text, usage: { prompt_tokens: 10, completion_tokens: 1 }, costUsd: 0.001, raw: {} };
    },
    { calls: 0 },
  );
  return caller;
}

test("the judge's unparseable verdict is asked once more; a second one is missing, and both calls are paid", async () => {
  const retried = scriptedCaller(["hmm", "8/10"]);
  assert.deepEqual(await createJudgeLabelScorer({ caller: retried, judge }).score({ prompt: "q", answer: "a", reference: undefined }), { score: 0.8, costUsd: 0.002 });
  const missing = scriptedCaller(["hmm", "let me think about it"]);
  const result = await createJudgeLabelScorer({ caller: missing, judge }).score({ prompt: "q", answer: "a", reference: undefined });
  assert.equal(result.score, null);
  assert.equal(result.costUsd, 0.002);
  assert.equal(missing.calls, 2);
  assert.match(result.note ?? "", /unparseable judge verdict twice/);
});

test("exact match normalises case, whitespace and a final full stop; a module scorer is imported and checked", async () => {
  const exact = createExactMatchScorer();
  assert.equal((await exact.score({ prompt: "q", answer: "  Paris. ", reference: "paris" })).score, 1);
  assert.equal((await exact.score({ prompt: "q", answer: "Lyon", reference: "paris" })).score, 0);
  const directory = await mkdtemp(join(tmpdir(), "switchyard-scorer-"));
  try {
    const modulePath = join(directory, "scorer.mjs");
    await writeFile(modulePath, "export async function score({ answer, reference }) { return answer === 'boom' ? 7 : answer.includes(reference) ? 1 : 0; }\n");
    const scorer = await loadModuleScorer(modulePath);
    assert.equal((await scorer.score({ prompt: "q", answer: "it is 42", reference: "42" })).score, 1);
    const bad = await scorer.score({ prompt: "q", answer: "boom", reference: "42" });
    assert.equal(bad.score, null);
    assert.match(bad.note ?? "", /returned 7 \(expected a number in \[0, 1\]\)/);
    const noExport = join(directory, "empty.mjs");
    await writeFile(noExport, "export const nothing = 1;\n");
    await assert.rejects(loadModuleScorer(noExport), /must export a function score/);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test("the journal survives a line cut short and refuses another scorer", async () => {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-journal-"));
  try {
    const path = join(directory, "out.journal.jsonl");
    const journal = await LabelJournal.open(path, "judge:j");
    await journal.record({ kind: "answer", id: "p1", target: "m", answer: "x", costUsd: 0.5, inputTokens: 1, outputTokens: 1 });
    await journal.record({ kind: "score", id: "p1", target: "m", score: 1, judgeCostUsd: 0.25 });
    await appendFile(path, '{"kind":"answer","id":"p2","tar');
    const resumed = await LabelJournal.open(path, "judge:j");
    assert.equal(resumed.spentUsd(), 0.75);
    assert.equal(resumed.answerOf("p2", "m"), undefined);
    await resumed.record({ kind: "answer", id: "p2", target: "m", answer: "y", costUsd: 1, inputTokens: 1, outputTokens: 1 });
    assert.equal((await LabelJournal.open(path, "judge:j")).answerOf("p2", "m")?.answer, "y", "the next line starts on its own line");
    await assert.rejects(LabelJournal.open(path, "exact"), /begun with scorer judge:j, not exact/);
    assert.match(await readFile(path, "utf8"), /^\{"kind":"header","scorer":"judge:j"\}\n/);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test("prompt files: errors name the line and field; the sample is seeded by id and close to its fraction", async () => {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-prompts-"));
  try {
    const path = join(directory, "prompts.jsonl");
    await writeFile(path, `${JSON.stringify({ id: "a", prompt: "hi" })}\n${JSON.stringify({ id: "b", prompt: 3 })}\n`);
    await assert.rejects(readLabelPrompts(path), /prompts\.jsonl:2: expected "prompt"/);
    await writeFile(path, `${JSON.stringify({ id: "a", prompt: "hi" })}\n${JSON.stringify({ id: "a", prompt: "again" })}\n`);
    await assert.rejects(readLabelPrompts(path), /prompts\.jsonl:2: id: duplicate id "a" \(first on line 1\)/);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  const ids = Array.from({ length: 4000 }, (_, i) => `prompt-${i}`);
  const kept = ids.filter((id) => isSampled(id, 0.05, 42));
  assert.ok(kept.length > 150 && kept.length < 250, `${kept.length} of 4000 at 0.05`);
  assert.deepEqual(ids.filter((id) => isSampled(id, 0.05, 42)), kept, "the same ids every time");
  assert.notDeepEqual(ids.filter((id) => isSampled(id, 0.05, 7)), kept, "another seed, another sample");
});

test("--from-traces prompts: stored successful chat traces with text, oldest first, each text once; refused without storeText", async () => {
  const store = createMemoryStore();
  const trace = (id: string, createdAt: number, prompt: string | undefined, status = 200): TraceRecord => ({
    id, createdAt, endpoint: "/v1/chat/completions", keyId: null, requestedModel: "auto", servedModel: "m", stream: false, status, errorCode: null,
    latencyMs: 1, upstreamMs: 1, decision: null, attempts: [], fallbacks: 0, inputTokens: 1, outputTokens: 1, costUsd: 0, ...(prompt === undefined ? {} : { prompt }),
  });
  await store.traces.insertMany([trace("t1", 1, "first"), trace("t2", 2, "second"), trace("t3", 3, "first"), trace("t4", 4, undefined), trace("t5", 5, "failed", 502)]);
  const { prompts, withoutText } = await labelPromptsFromTraces({ traces: store.traces, storeText: true });
  assert.deepEqual(prompts.map((prompt) => [prompt.id, prompt.prompt]), [["t1", "first"], ["t2", "second"]]);
  assert.equal(withoutText, 1);
  await assert.rejects(labelPromptsFromTraces({ traces: store.traces, storeText: false }), /traces\.storeText: false/);
  await store.close();
});
