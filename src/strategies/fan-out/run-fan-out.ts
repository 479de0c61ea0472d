import { SwitchyardError } from "../../core/errors.js";
import { promptTextOf, type ChatMessage } from "../../core/query.js";
import type { Target } from "../../core/target.js";
import { realTimers, type TimerFunctions } from "../../resilience/timeouts.js";
import type { ChatCaller, ChatCallResult } from "../chat-caller.js";
import type { StrategyRequest } from "../cascade/run-cascade.js";
import type { AnswerScorer, ScoreResult } from "../scorers/answer-scorer.js";
import type { StrategyResult, SubCallTrace } from "../strategy-trace.js";
import { withDeadline } from "../with-deadline.js";
import { aggregatorPromptOf } from "./aggregator-prompt.js";

/** How a fan-out turns k answers into one. */
export type FanOutCombine =
  | { mode: "best"; /** Grades every answer; the best score wins (ties → router order). */ judge: AnswerScorer }
  | { mode: "fuse"; /** Writes one answer from the k answers (Mixture-of-Agents aggregator). */ aggregator: Target; /** Default 30000. */ timeoutMs?: number };

/** Everything {@link runFanOut} depends on. */
export interface FanOutDeps {
  caller: ChatCaller;
  /** The models to ask, in the router's order (see `chooseFanOutModels`). */
  models: readonly Target[];
  combine: FanOutCombine;
  /** Each answer call is abandoned after this long (default 30000); a timed-out model is left out. */
  callTimeoutMs?: number;
  now?: () => number;
  timers?: TimerFunctions;
}

/** A sub-call's error with how long the call took, so failures are traced with their latency. */
class FailedCall {
  constructor(
    readonly error: unknown,
    readonly latencyMs: number,
  ) {}
}

interface Answer {
  slot: number;
  target: Target;
  result: ChatCallResult;
}

/**
 * Multi-model answer: sends the request to every model of `models` in parallel (Promise.allSettled, each
 * call bounded by `callTimeoutMs`), then either returns the answer a judge grades best (`best`), or has an
 * aggregator model synthesise one answer from all of them (`fuse`; Mixture-of-Agents, Wang et al. 2024,
 * arXiv:2406.04692, one aggregation layer). The trace records every sub-call with its cost. When every model
 * fails it throws; when the aggregator fails, the first answer in router order is returned (`fallback`).
 *
 * @example
 * const result = await runFanOut({ body: { messages } }, { caller, models: [a, b, c], combine: { mode: "fuse", aggregator: strong } });
 */
export async function runFanOut(request: StrategyRequest, deps: FanOutDeps): Promise<StrategyResult> {
  if (deps.models.length === 0) throw new SwitchyardError("no_candidates", "fan-out: no model to ask");
  const now = deps.now ?? (() => performance.now());
  const timers = deps.timers ?? realTimers;
  const callTimeoutMs = deps.callTimeoutMs ?? 30_000;
  const started = now();
  const prompt = promptTextOf((request.body.messages ?? []) as readonly ChatMessage[]);
  const trace: SubCallTrace[] = [];
  const usage = { prompt_tokens: 0, completion_tokens: 0 };
  let costUsd = 0;

  const settled = await Promise.allSettled(
    deps.models.map(async (target) => {
      const callStarted = now();
      try {
        const outcome = await withDeadline((signal) => deps.caller({ target, body: request.body, signal }), { budgetMs: callTimeoutMs, parent: request.signal, timers });
        return { outcome, latencyMs: now() - callStarted };
      } catch (error) {
        throw new FailedCall(error, now() - callStarted);
      }
    }),
  );
  if (request.signal?.aborted) throw request.signal.reason instanceof Error ? request.signal.reason : new SwitchyardError("upstream_error", "fan-out: the client went away");
  const answers: Answer[] = [];
  let lastError: unknown;
  settled.forEach((entry, slot) => {
    const target = deps.models[slot] as Target;
    if (entry.status === "rejected") {
      const failed = entry.reason as FailedCall;
      lastError = failed.error;
      trace.push({ role: "answer", model: target.id, step: slot, costUsd: 0, latencyMs: failed.latencyMs, outcome: "failed", note: failed.error instanceof Error ? failed.error.message : String(failed.error) });
      return;
    }
    const { outcome, latencyMs } = entry.value;
    if (outcome.timedOut) {
      lastError = new SwitchyardError("upstream_timeout", `fan-out: "${target.id}" did not answer in time`);
      trace.push({ role: "answer", model: target.id, step: slot, costUsd: 0, latencyMs, outcome: "timed-out", note: `no answer within ${callTimeoutMs} ms` });
      return;
    }
    costUsd += outcome.value.costUsd;
    usage.prompt_tokens += outcome.value.usage.prompt_tokens;
    usage.completion_tokens += outcome.value.usage.completion_tokens;
    answers.push({ slot, target, result: outcome.value });
    trace.push({ role: "answer", model: target.id, step: slot, costUsd: outcome.value.costUsd, latencyMs, outcome: "answered" });
  });
  const first = answers[0];
  if (first === undefined) throw lastError instanceof SwitchyardError ? lastError : new SwitchyardError("upstream_error", "fan-out: every model failed", { cause: lastError });
  const finish = (text: string, model: string, stoppedBecause: string): StrategyResult => ({
    strategy: "fan-out", text, model, costUsd, latencyMs: now() - started, usage, stoppedBecause, trace,
  });
  const mark = (answer: Answer, outcome: SubCallTrace["outcome"]): void => {
    const entry = trace.find((item) => item.role === "answer" && item.step === answer.slot);
    if (entry) entry.outcome = outcome;
  };

  if (deps.combine.mode === "best") {
    if (answers.length === 1) {
      mark(first, "chosen");
      return finish(first.result.text, first.target.id, "only-answer");
    }
    const judge = deps.combine.judge;
    const grades: ScoreResult[] = await Promise.all(answers.map((answer) => judge.score({ prompt, answer: answer.result.text, target: answer.target, body: request.body, signal: request.signal })));
    let best = 0;
    grades.forEach((grade, index) => {
      costUsd += grade.costUsd;
      const answer = answers[index] as Answer;
      trace.push({ role: "score", model: answer.target.id, step: answer.slot, costUsd: grade.costUsd, latencyMs: grade.latencyMs, outcome: grade.timedOut ? "timed-out" : "answered", score: grade.score, scorer: judge.kind, note: grade.note });
      const entry = trace.find((item) => item.role === "answer" && item.step === answer.slot);
      if (entry) entry.score = grade.score;
      if (grade.score > (grades[best] as ScoreResult).score) best = index;
    });
    const winner = answers[best] as Answer;
    mark(winner, "chosen");
    return finish(winner.result.text, winner.target.id, "best");
  }

  const { aggregator } = deps.combine;
  const aggregateStarted = now();
  const body = { ...request.body, messages: [{ role: "user", content: aggregatorPromptOf(prompt, answers.map((answer) => answer.result.text)) }] };
  try {
    const outcome = await withDeadline((signal) => deps.caller({ target: aggregator, body, signal }), { budgetMs: deps.combine.timeoutMs ?? 30_000, parent: request.signal, timers });
    if (outcome.timedOut) {
      trace.push({ role: "aggregate", model: aggregator.id, step: answers.length, costUsd: 0, latencyMs: now() - aggregateStarted, outcome: "timed-out", note: "aggregator timed out; first answer returned" });
    } else {
      costUsd += outcome.value.costUsd;
      usage.prompt_tokens += outcome.value.usage.prompt_tokens;
      usage.completion_tokens += outcome.value.usage.completion_tokens;
      trace.push({ role: "aggregate", model: aggregator.id, step: deps.models.length, costUsd: outcome.value.costUsd, latencyMs: now() - aggregateStarted, outcome: "fused" });
      return finish(outcome.value.text, aggregator.id, "fused");
    }
  } catch (error) {
    if (request.signal?.aborted) throw error;
    trace.push({ role: "aggregate", model: aggregator.id, step: deps.models.length, costUsd: 0, latencyMs: now() - aggregateStarted, outcome: "failed", note: `${error instanceof Error ? error.message : String(error)}; first answer returned` });
  }
  mark(first, "chosen");
  return finish(first.result.text, first.target.id, "fallback");
}
