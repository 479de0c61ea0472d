import { SwitchyardError } from "../../core/errors.js";
import { promptTextOf, type ChatMessage } from "../../core/query.js";
import type { Target } from "../../core/target.js";
import { realTimers, type TimerFunctions } from "../../resilience/timeouts.js";
import type { ChatCaller, ChatCallResult } from "../chat-caller.js";
import { predictedCallCostUsd } from "../predicted-call-cost.js";
import type { AnswerScorer } from "../scorers/answer-scorer.js";
import type { StrategyResult, SubCallTrace } from "../strategy-trace.js";
import { withDeadline } from "../with-deadline.js";
import type { CancelSignal } from "../../resilience/cancel-signal.js";

/** One rung of a cascade: a target and the score its answer needs to be accepted. */
export interface CascadeStep {
  target: Target;
  /** Accept this step's answer when its score is ≥ this; ignored on the last step. */
  threshold: number;
}

/** Everything {@link runCascade} depends on. */
export interface CascadeDeps {
  caller: ChatCaller;
  scorer: AnswerScorer;
  /** Steps in order of increasing cost (see `chooseCascadeLadder` for a router-chosen one). */
  ladder: readonly CascadeStep[];
  /** Do not start a step whose predicted cost would take the total above this (the first step always runs). */
  costCapUsd?: number;
  /** Each answer call is abandoned after this long and the cascade escalates (default 30000). */
  stepTimeoutMs?: number;
  /** The whole cascade stops here and returns the best answer it has (default 60000). */
  deadlineMs?: number;
  /** Predicted cost of calling a target on this body (default: prompt tokens + max_tokens or 256 at its prices). */
  predictCostUsd?: (target: Target, body: Readonly<Record<string, unknown>>) => number;
  now?: () => number;
  timers?: TimerFunctions;
}

/** The request a strategy serves: the client's chat body (its `model` is ignored) and its abort signal. */
export interface StrategyRequest {
  body: Readonly<Record<string, unknown>>;
  signal?: CancelSignal;
}

/**
 * LLM cascade (FrugalGPT, Chen et al. 2023, arXiv:2305.05176; AutoMix, Madaan et al. 2023, arXiv:2310.12963):
 * ask the cheapest step; score its answer; accept it when the score reaches the step's threshold, else
 * escalate to the next step. It stops at the last step, when the next step's predicted cost would push
 * the total above `costCapUsd`, or at `deadlineMs`, returning the last answer it got. A step that fails
 * or exceeds `stepTimeoutMs` escalates too. The last step is never scored (nothing to escalate to), nor
 * is a step whose successor is unaffordable. Latency is bounded by `deadlineMs` (+ at most one scorer's
 * latency budget, which each scorer enforces itself).
 *
 * @example
 * const result = await runCascade({ body: { messages } }, { caller, scorer, ladder: [{ target: cheap, threshold: 0.7 }, { target: strong, threshold: 1 }], costCapUsd: 0.01 });
 * result.text; result.trace; // every answer and grade with its cost and latency
 */
export async function runCascade(request: StrategyRequest, deps: CascadeDeps): Promise<StrategyResult> {
  if (deps.ladder.length === 0) throw new SwitchyardError("invalid_config", "cascade: ladder: needs at least one step");
  const now = deps.now ?? (() => performance.now());
  const timers = deps.timers ?? realTimers;
  const predict = deps.predictCostUsd ?? predictedCallCostUsd;
  const started = now();
  const deadlineMs = deps.deadlineMs ?? 60_000;
  const stepTimeoutMs = deps.stepTimeoutMs ?? 30_000;
  const prompt = promptTextOf((request.body.messages ?? []) as readonly ChatMessage[]);
  const trace: SubCallTrace[] = [];
  const usage = { prompt_tokens: 0, completion_tokens: 0 };
  let costUsd = 0;
  let answer: { text: string; model: string } | undefined;
  let lastError: unknown;
  let stoppedBecause = "last-step";

  for (let index = 0; index < deps.ladder.length; index++) {
    const step = deps.ladder[index] as CascadeStep;
    const remainingMs = deadlineMs - (now() - started);
    if (remainingMs <= 0) {
      stoppedBecause = "deadline";
      break;
    }
    const stepStarted = now();
    let result: ChatCallResult | undefined;
    try {
      const outcome = await withDeadline((signal) => deps.caller({ target: step.target, body: request.body, signal }), {
        budgetMs: Math.min(stepTimeoutMs, remainingMs),
        parent: request.signal,
        timers,
      });
      if (outcome.timedOut) {
        trace.push({ role: "answer", model: step.target.id, step: index, costUsd: 0, latencyMs: now() - stepStarted, outcome: "timed-out", note: `no answer within ${Math.min(stepTimeoutMs, remainingMs)} ms` });
        lastError = new SwitchyardError("upstream_timeout", `cascade: "${step.target.id}" did not answer in time`);
      } else result = outcome.value;
    } catch (error) {
      if (request.signal?.aborted) throw error;
      lastError = error;
      trace.push({ role: "answer", model: step.target.id, step: index, costUsd: 0, latencyMs: now() - stepStarted, outcome: "failed", note: error instanceof Error ? error.message : String(error) });
    }
    const next = deps.ladder[index + 1];
    if (result === undefined) {
      if (next === undefined) stoppedBecause = answer ? "last-step" : "failures";
      continue;
    }
    costUsd += result.costUsd;
    usage.prompt_tokens += result.usage.prompt_tokens;
    usage.completion_tokens += result.usage.completion_tokens;
    answer = { text: result.text, model: step.target.id };
    const answerTrace: SubCallTrace = { role: "answer", model: step.target.id, step: index, costUsd: result.costUsd, latencyMs: now() - stepStarted, outcome: "final" };
    trace.push(answerTrace);
    if (next === undefined) {
      stoppedBecause = "last-step";
      break;
    }
    if (deps.costCapUsd !== undefined && costUsd + predict(next.target, request.body) > deps.costCapUsd) {
      stoppedBecause = "cost-cap";
      answerTrace.note = `next step "${next.target.id}" would exceed the cost cap of ${deps.costCapUsd} USD`;
      break;
    }
    const grade = await deps.scorer.score({ prompt, answer: result.text, target: step.target, body: request.body, signal: request.signal });
    costUsd += grade.costUsd;
    const accepted = grade.score >= step.threshold;
    answerTrace.score = grade.score;
    answerTrace.threshold = step.threshold;
    answerTrace.outcome = accepted ? "accepted" : "escalated";
    trace.push({ role: "score", model: step.target.id, step: index, costUsd: grade.costUsd, latencyMs: grade.latencyMs, outcome: grade.timedOut ? "timed-out" : "answered", score: grade.score, threshold: step.threshold, scorer: deps.scorer.kind, note: grade.note });
    if (accepted) {
      stoppedBecause = "accepted";
      break;
    }
  }
  if (answer === undefined) {
    throw lastError instanceof SwitchyardError ? lastError : new SwitchyardError("upstream_error", "cascade: every step failed", { cause: lastError });
  }
  return { strategy: "cascade", text: answer.text, model: answer.model, costUsd, latencyMs: now() - started, usage, stoppedBecause, trace };
}
