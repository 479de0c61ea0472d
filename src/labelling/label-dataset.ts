import { rename, writeFile } from "node:fs/promises";
import { SwitchyardError } from "../core/errors.js";
import type { Target } from "../core/target.js";
import type { ChatCaller } from "../strategies/chat-caller.js";
import { LabelJournal } from "./label-journal.js";
import { isSampled, type LabelPrompt } from "./label-prompt.js";
import type { LabelScorer } from "./label-scorer.js";

/** Options of {@link labelDataset}. */
export interface LabelDatasetOptions {
  prompts: readonly LabelPrompt[];
  /** The targets every sampled prompt is sent to (configured targets, with prices). */
  targets: readonly Target[];
  /** Reaches the targets and the judge (the gateway's upstream client: `createUpstreamChatCaller`). */
  caller: ChatCaller;
  scorer: LabelScorer;
  /** The routing dataset to write (canonical JSONL). */
  out: string;
  /** Default `<out>.journal.jsonl`. */
  journal?: string;
  /** Share of prompts labelled, drawn by a seeded hash of each id (default 1: all). */
  sample?: number;
  seed?: number;
  /** No new call starts once the journal's total spend (answers + scoring, every run) would pass this. */
  maxUsd?: number;
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  /** `max_tokens` sent with each answer request (default: none sent). */
  maxTokens?: number;
  /** Called after each (prompt, target) pair is settled. */
  onProgress?: (done: number, total: number, spentUsd: number) => void;
  /** Checked before each call: when it returns true the run stops and writes what it has (Ctrl-C). */
  stopRequested?: () => boolean;
}

/** What a label run did (and what the whole journal holds). */
export interface LabelSummary {
  /** Prompts given, and how many the sample kept. */
  prompts: number;
  sampled: number;
  /** (prompt, target) pairs in the sample, and how many have a score or a missing mark now. */
  pairs: number;
  settled: number;
  /** Answer calls made by this run, and answers this run took from the journal (paid by an earlier run). */
  answersCalled: number;
  answersReused: number;
  /** Scores in the journal (all runs), and answers recorded as missing a score. */
  scored: number;
  missing: number;
  /** Pairs whose answer or judge call failed in this run (re-run to retry them; nothing paid is lost). */
  failed: number;
  failures: string[];
  /** USD in the journal (all runs): answers, scoring (judge), and their sum. */
  answerCostUsd: number;
  judgeCostUsd: number;
  totalCostUsd: number;
  /** USD this run added. */
  runCostUsd: number;
  /** True when the run stopped at `maxUsd` (or was asked to stop) before every pair was settled. */
  stopped: "budget" | "interrupted" | null;
  /** Dataset lines written (prompts scored by every target), and prompts left out as incomplete. */
  linesWritten: number;
  incompleteDropped: number;
  out: string;
  journal: string;
}

/**
 * Labels prompts the RouteLLM / Not Diamond way: sends each sampled prompt to every target, scores each
 * answer (`LabelScorer`: an LLM judge, exact match, or a module), and writes a canonical routing dataset
 * ready for `switchyard train` — per prompt, per target `{score, costUsd, inputTokens, outputTokens,
 * judgeCostUsd}`. Every paid answer and every score is journaled as it arrives, so an interrupted run
 * resumes without paying twice; a missing score (unparseable judge) leaves its prompt out of the dataset
 * (routers need every model scored on every prompt) and is counted.
 *
 * @example
 * const summary = await labelDataset({ prompts, targets, caller, scorer, out: "labelled.jsonl", sample: 0.05, maxUsd: 20 });
 */
export async function labelDataset(options: LabelDatasetOptions): Promise<LabelSummary> {
  const sample = options.sample ?? 1;
  const seed = options.seed ?? 42;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const journalPath = options.journal ?? `${options.out}.journal.jsonl`;
  if (options.targets.length === 0) throw new SwitchyardError("invalid_config", "label needs at least one target", { param: "--targets" });
  const sampled = options.prompts.filter((prompt) => isSampled(prompt.id, sample, seed));
  if (options.scorer.identity === "exact") {
    const lacking = sampled.find((prompt) => prompt.reference === undefined);
    if (lacking !== undefined) throw new SwitchyardError("invalid_dataset", `--scorer exact needs a "reference" on every prompt; prompt ${JSON.stringify(lacking.id)} has none`, { param: "reference" });
  }
  const journal = await LabelJournal.open(journalPath, options.scorer.identity);
  const startSpent = journal.spentUsd();
  let spent = startSpent;
  let reserved = 0;
  const pairs = sampled.flatMap((prompt) => options.targets.map((target) => ({ prompt, target })));
  let next = 0;
  let settled = 0;
  let answersCalled = 0;
  let answersReused = 0;
  let failed = 0;
  const failures: string[] = [];
  let stopped: LabelSummary["stopped"] = null;
  // Expected USD of the next call of each kind (the mean so far), reserved while it is in flight so that
  // concurrent calls do not all start under the cap and end far over it.
  const observed = new Map<string, { total: number; count: number }>();
  const expectedUsd = (kind: string) => {
    const seen = observed.get(kind);
    return seen === undefined || seen.count === 0 ? 0 : seen.total / seen.count;
  };
  const observe = (kind: string, costUsd: number) => {
    const seen = observed.get(kind) ?? { total: 0, count: 0 };
    seen.total += costUsd;
    seen.count++;
    observed.set(kind, seen);
  };
  const mayStart = (kind: string): boolean => {
    if (stopped !== null) return false;
    if (options.stopRequested?.() === true) {
      stopped = "interrupted";
      return false;
    }
    if (options.maxUsd !== undefined && spent + reserved + expectedUsd(kind) > options.maxUsd) {
      stopped = "budget";
      return false;
    }
    return true;
  };
  const paid = async <T extends { costUsd: number }>(kind: string, call: () => Promise<T>): Promise<T> => {
    const reserve = expectedUsd(kind);
    reserved += reserve;
    try {
      const result = await call();
      spent += result.costUsd;
      observe(kind, result.costUsd);
      return result;
    } finally {
      reserved -= reserve;
    }
  };

  const settle = async (prompt: LabelPrompt, target: Target): Promise<void> => {
    let answer = journal.answerOf(prompt.id, target.id);
    if (journal.scoreOf(prompt.id, target.id) !== undefined) {
      if (answer !== undefined) answersReused++;
      return;
    }
    if (answer !== undefined) answersReused++;
    else {
      if (!mayStart(`answer:${target.id}`)) return;
      const body: Record<string, unknown> = { messages: prompt.messages };
      if (options.maxTokens !== undefined) body.max_tokens = options.maxTokens;
      const result = await paid(`answer:${target.id}`, () => options.caller({ target, body }));
      answersCalled++;
      answer = { kind: "answer", id: prompt.id, target: target.id, answer: result.text, costUsd: result.costUsd, inputTokens: result.usage.prompt_tokens, outputTokens: result.usage.completion_tokens };
      await journal.record(answer);
    }
    if (!mayStart("score")) return;
    const text = answer.answer;
    const scored = await paid("score", async () => {
      const result = await options.scorer.score({ prompt: prompt.prompt, answer: text, reference: prompt.reference });
      return { ...result, costUsd: result.costUsd };
    });
    await journal.record({ kind: "score", id: prompt.id, target: target.id, score: scored.score, judgeCostUsd: scored.costUsd, ...(scored.note === undefined ? {} : { note: scored.note }) });
  };

  const worker = async () => {
    for (;;) {
      if (stopped !== null) return;
      const index = next++;
      if (index >= pairs.length) return;
      const { prompt, target } = pairs[index]!;
      try {
        await settle(prompt, target);
      } catch (error) {
        failed++;
        if (failures.length < 5) failures.push(`${prompt.id} × ${target.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (journal.scoreOf(prompt.id, target.id) !== undefined) settled++;
      options.onProgress?.(settled, pairs.length, spent);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, pairs.length)) }, worker));

  const { lines, incomplete } = datasetLines(sampled, options.targets, journal);
  const temporary = `${options.out}.${process.pid}.tmp`;
  await writeFile(temporary, lines.join(""), "utf8");
  await rename(temporary, options.out);

  let answerCostUsd = 0;
  let judgeCostUsd = 0;
  let scoredCount = 0;
  let missing = 0;
  for (const entry of journal.answers.values()) answerCostUsd += entry.costUsd;
  for (const entry of journal.scores.values()) {
    judgeCostUsd += entry.judgeCostUsd;
    if (entry.score === null) missing++;
    else scoredCount++;
  }
  return {
    prompts: options.prompts.length,
    sampled: sampled.length,
    pairs: pairs.length,
    settled: pairs.filter(({ prompt, target }) => journal.scoreOf(prompt.id, target.id) !== undefined).length,
    answersCalled,
    answersReused,
    scored: scoredCount,
    missing,
    failed,
    failures,
    answerCostUsd,
    judgeCostUsd,
    totalCostUsd: answerCostUsd + judgeCostUsd,
    runCostUsd: spent - startSpent,
    stopped,
    linesWritten: lines.length,
    incompleteDropped: incomplete,
    out: options.out,
    journal: journalPath,
  };
}

/** Canonical routing JSONL lines of the prompts every target has a score for; the others are counted. */
function datasetLines(prompts: readonly LabelPrompt[], targets: readonly Target[], journal: LabelJournal): { lines: string[]; incomplete: number } {
  const lines: string[] = [];
  let incomplete = 0;
  for (const prompt of prompts) {
    const outcomes: Record<string, { score: number; costUsd: number; inputTokens: number; outputTokens: number; judgeCostUsd: number }> = {};
    let complete = true;
    for (const target of targets) {
      const answer = journal.answerOf(prompt.id, target.id);
      const score = journal.scoreOf(prompt.id, target.id);
      if (answer === undefined || score === undefined || score.score === null) {
        complete = false;
        break;
      }
      outcomes[target.id] = { score: score.score, costUsd: answer.costUsd, inputTokens: answer.inputTokens, outputTokens: answer.outputTokens, judgeCostUsd: score.judgeCostUsd };
    }
    if (!complete) {
      // Only prompts something was spent on count as dropped; untouched ones were never begun.
      if (targets.some((target) => journal.answerOf(prompt.id, target.id) !== undefined)) incomplete++;
      continue;
    }
    lines.push(
      `${JSON.stringify({ id: prompt.id, prompt: prompt.prompt, ...(prompt.task === undefined ? {} : { task: prompt.task }), ...(prompt.split === undefined ? {} : { split: prompt.split }), outcomes })}\n`,
    );
  }
  return { lines, incomplete };
}
