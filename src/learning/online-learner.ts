import type { Decision } from "../core/decision.js";
import { SwitchyardError } from "../core/errors.js";
import type { Random } from "../core/random.js";
import type { Target } from "../core/target.js";
import type { GatewayLogger } from "../gateway/gateway-logger.js";
import type { LearningMetrics } from "../observability/learning-metrics.js";
import type { OnlineRouter } from "../routers/online-router.js";
import type { ChatCaller } from "../strategies/chat-caller.js";
import type { LearningContextRecord, LearningUpdateRecord, RewardSource } from "../stores/learning-records.js";
import type { LearningRepository } from "../stores/store.js";
import type { Broadcast } from "../coordination/coordination.js";
import type { TraceRecord } from "../stores/trace-record.js";
import { createJudgeReward, type JudgeVerdict } from "./judge-reward.js";
import { jsonSchemaReward } from "./json-schema-signal.js";
import type { LearningConfig } from "./learning-config.js";
import { encodeRouteInput } from "./route-input-codec.js";
import { observationOf } from "./observation-of.js";

/** One routed request that was answered, as the learner sees it when the request ends. */
export interface LearnableRequest {
  requestId: string;
  keyId: string | null;
  decision: Decision;
  /** The target that served (differs from `decision.model` after a fallback). */
  servedModel: string;
  /** Real cost (price × reported usage), when known. */
  costUsd: number | null;
  /** Epoch milliseconds when the request arrived. */
  createdAt: number;
  /** The request's `response_format` (for the `json-schema` signal). */
  responseFormat?: unknown;
  /** Prompt and answer text, present only when a judge or signal needs them (never stored unless `traces.storeText`). */
  prompt?: string;
  answer?: string;
}

/** A `POST /v1/feedback` the learner judges. */
export interface FeedbackInput {
  requestId: string;
  /** The presenting key's id; null when the gateway runs open (then every request is the caller's). */
  keyId: string | null;
  score: number;
  /** The request's trace, when traces are on (for requests that were not routed by the online router). */
  trace: TraceRecord | undefined;
}

/** Options of {@link createOnlineLearner}. */
export interface OnlineLearnerOptions {
  /** The engine's online router (the learner updates it in place). */
  router: OnlineRouter;
  repository: LearningRepository;
  config: LearningConfig;
  /** Keep the prompt text in stored learning contexts (`traces.storeText`). */
  storeText: boolean;
  /** The update-log position and update count the router's state already holds (see `restoreOnlineRouter`). */
  seq: number;
  updates: number;
  metrics?: LearningMetrics;
  logger?: GatewayLogger;
  now?: () => number;
  /** Sampling of judged answers (default `Math.random`). */
  random?: Random;
  /**
   * Several instances learning into one store (the coordination's `learning` broadcast): each instance
   * folds every instance's updates into its router in log order — its own included, right after
   * appending them, and the others' when they are announced — so all instances hold the same state, the
   * one a restart rebuilds from the log. Without it the process applies only its own updates.
   */
  announcements?: Broadcast;
}

/**
 * Online learning in the gateway. Every answered request the online router routed leaves a learning
 * context in the store (served model, propensity, the route input's features as Float32 bytes, predicted
 * quality and cost, real cost, key id, time; batched, written at the end of the event-loop turn). Rewards —
 * `/v1/feedback`, a sampled LLM judge, declared signals — update the router while it serves:
 *
 * - at most one update per request and source: the store's append to the update log is the atomic claim,
 *   so two racing feedback calls for one request learn once, and the second gets `feedback_exists`;
 * - updates are serialised in this process (one queue) and applied to the router in log order, so the
 *   learned state is always "last snapshot + log replayed", which is what a restart rebuilds;
 * - feedback only for the key's own requests (else `trace_not_found`, as if unknown), only within
 *   `feedbackExpiryHours` (else `feedback_expired`), optionally capped per key and minute (`rate_limited`);
 *   a refused feedback changes nothing;
 * - the real cost of the answer rides along with every update (`costUsd`), so cost-learning routers learn
 *   real prices.
 */
export interface OnlineLearner {
  readonly router: OnlineRouter;
  readonly config: LearningConfig;
  /** True when a judge or a signal needs the answer text (the gateway then collects it). */
  readonly wantsAnswerText: boolean;
  /** True when the judge needs the prompt text. */
  readonly wantsPromptText: boolean;
  /** Gives the judge its way to call models (the gateway's upstream client). */
  attachCaller(caller: ChatCaller, targets: ReadonlyMap<string, Target>): void;
  /** Records a finished routed request (never throws; signals and the judge run from here, off the request path). */
  observe(request: LearnableRequest): void;
  /** Learns from one feedback, or throws the 4xx that says why not (nothing changed then). Resolves true once learned. */
  feedback(input: FeedbackInput): Promise<boolean>;
  /** Learning updates applied since the state began (snapshot + log). */
  updates(): number;
  /** The update-log position of the router's state. */
  seq(): number;
  /** Writes pending contexts, waits for running judges and queued updates, and snapshots the state. */
  flush(): Promise<void>;
  /** Deletes learning contexts that can no longer be learned from (older than the feedback expiry). */
  prune(): Promise<number>;
}

/** Builds the gateway's {@link OnlineLearner}. */
export function createOnlineLearner(options: OnlineLearnerOptions): OnlineLearner {
  const { router, repository, config } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const metrics = options.metrics;
  const expiryMs = config.feedbackExpiryHours * 3_600_000;
  const signals = config.signals;
  let seq = options.seq;
  let updates = options.updates;
  let sinceSnapshot = 0;
  // Log entries up to the last snapshot written by this process may be pruned; later ones are the only copy.
  let snapshotSeq = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let pending: LearningContextRecord[] = [];
  let writing: Promise<void> = Promise.resolve();
  let writeScheduled = false;
  const judges = new Set<Promise<void>>();
  let judge: ((prompt: string, answer: string) => Promise<JudgeVerdict>) | undefined;
  const feedbackWindow = new Map<string, { startedAt: number; count: number }>();

  const logError = (message: string, error: unknown, requestId?: string) =>
    options.logger?.error({ requestId, error: error instanceof Error ? error.message : String(error) }, message);

  const writePending = (): Promise<void> => {
    writeScheduled = false;
    if (pending.length === 0) return writing;
    const batch = pending;
    pending = [];
    writing = writing.then(() => repository.putContexts(batch)).catch((error: unknown) => logError("learning contexts could not be written", error));
    return writing;
  };

  const snapshot = async (): Promise<void> => {
    sinceSnapshot = 0;
    const at = seq;
    await repository.saveSnapshot({ routerKind: router.kind, state: JSON.stringify(router.toState()), seq: at, updates, savedAt: now() });
    snapshotSeq = at;
  };

  /** Appends the update (the claim) and applies it; false when this request was already learned from `source`. */
  const learn = (context: LearningContextRecord, source: RewardSource, reward: number): Promise<boolean> => {
    const run = queue.then(async () => {
      const claimed = await repository.appendUpdate({ requestId: context.requestId, source, model: context.model, reward, costUsd: context.costUsd, predictedCostUsd: context.predictedCostUsd, input: context.input, createdAt: now() });
      if (claimed === null) return false;
      if (shared !== undefined) {
        // Other instances' updates before ours are applied first: every instance follows the log's order.
        await foldIn(claimed);
        void shared.publish(String(claimed));
      } else {
        // Applied from the stored bytes, exactly as a restart replays it, so live and restored states agree.
        apply({ ...context, reward }, true);
        seq = claimed;
        updates += 1;
        sinceSnapshot += 1;
      }
      metrics?.recordUpdate(source);
      if (sinceSnapshot >= config.snapshotEvery) await snapshot().catch((error: unknown) => logError("the learned state could not be snapshotted (the update log still has it)", error));
      return true;
    });
    queue = run.catch(() => undefined);
    return run;
  };

  /**
   * Applies one logged update. When it makes the router's change detector fire, the instance that appended
   * it (`own`; every instance applies every update) counts and logs the alarm once: an operator sees that a
   * target's rewards shifted and that the router is re-learning it.
   */
  const apply = (update: Pick<LearningUpdateRecord, "requestId" | "model" | "reward" | "costUsd" | "predictedCostUsd" | "input">, own: boolean): void => {
    const before = router.restarts ?? 0;
    router.update(observationOf(update.input, update.model, update.reward, update.costUsd, update.predictedCostUsd));
    if (!own || (router.restarts ?? 0) <= before) return;
    metrics?.recordChangeAlarm(update.model);
    options.logger?.warn({ target: update.model, requestId: update.requestId }, "the change detector saw this target's rewards shift: the router moves its estimate of it by the measured change, or forgets what it had learned of it, and re-learns it from the traffic");
  };

  const shared = options.announcements;
  /** Applies the log after `seq` (every instance's updates) in order; `own` = the seq this instance appended. Runs on the update queue only. */
  const foldIn = async (own?: number): Promise<void> => {
    for (const update of await repository.updatesAfter(seq)) {
      apply(update, update.seq === own);
      seq = update.seq;
      updates += 1;
      sinceSnapshot += 1;
    }
  };
  // An announcement (or a possibly missed one) folds in what other instances appended.
  shared?.subscribe(() => {
    queue = queue.then(() => foldIn()).catch((error: unknown) => logError("other instances' learning updates could not be read", error));
  });

  const runJudge = (context: LearningContextRecord, prompt: string, answer: string): void => {
    const grade = judge;
    if (grade === undefined) return;
    const running = (async () => {
      const verdict = await grade(prompt, answer);
      // The verdict's cost (of every call) is booked with its first call.
      verdict.calls.forEach((outcome, index) => metrics?.recordJudgeCall(outcome, index === 0 ? verdict.costUsd : 0));
      await writing;
      await repository.setJudgement(context.requestId, { score: verdict.score, costUsd: verdict.costUsd, at: now() });
      if (verdict.score === null) {
        metrics?.recordReward("judge", "missing");
        return;
      }
      const learned = await learn(context, "judge", verdict.score);
      metrics?.recordReward("judge", learned ? "learned" : "duplicate");
    })().catch((error: unknown) => logError("judging an answer failed", error, context.requestId));
    judges.add(running);
    void running.finally(() => judges.delete(running));
  };

  const admitFeedback = (keyId: string | null): void => {
    const cap = config.maxFeedbackUpdatesPerKeyPerMinute;
    if (cap === undefined) return;
    const id = keyId ?? "";
    const at = now();
    let window = feedbackWindow.get(id);
    if (window === undefined || at - window.startedAt >= 60_000) {
      window = { startedAt: at, count: 0 };
      feedbackWindow.set(id, window);
    }
    if (window.count >= cap) {
      metrics?.recordReward("feedback", "refused");
      throw new SwitchyardError("rate_limited", `This key has given ${cap} learning feedbacks in the last minute (learning.maxFeedbackUpdatesPerKeyPerMinute); nothing was learned or stored`, {
        retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + 60_000 - at) / 1000)),
      });
    }
    window.count += 1;
  };

  return {
    router,
    config,
    wantsAnswerText: config.judge !== undefined || signals.length > 0,
    wantsPromptText: config.judge !== undefined,
    attachCaller(caller, targets) {
      const judgeConfig = config.judge;
      if (judgeConfig === undefined) return;
      const target = targets.get(judgeConfig.target);
      if (target === undefined) throw new SwitchyardError("invalid_config", `learning.judge.target: unknown target "${judgeConfig.target}"`, { param: "learning.judge.target" });
      judge = createJudgeReward({ caller, judge: target, rubric: judgeConfig.rubric, timeoutMs: judgeConfig.timeoutMs });
    },
    observe(request) {
      try {
        const { decision } = request;
        if (decision.routeInput === undefined) return;
        const propensity = decision.propensity ?? 1;
        metrics?.recordRouted(request.servedModel, propensity < 1);
        const chosen = decision.candidates.find((candidate) => candidate.model === request.servedModel);
        const context: LearningContextRecord = {
          requestId: request.requestId,
          keyId: request.keyId,
          model: request.servedModel,
          chosenModel: decision.model,
          propensity,
          input: encodeRouteInput(decision.routeInput, options.storeText),
          predictedQuality: chosen?.predictedQuality ?? null,
          predictedCostUsd: chosen?.predictedCostUsd ?? null,
          costUsd: request.costUsd,
          createdAt: request.createdAt,
        };
        pending.push(context);
        if (!writeScheduled) {
          writeScheduled = true;
          setImmediate(writePending);
        }
        for (const signal of signals) {
          const reward = signal.kind === "json-schema" ? jsonSchemaReward(request.responseFormat, request.answer) : null;
          if (reward === null) continue;
          learn(context, "signal", reward).then(
            (learned) => metrics?.recordReward("signal", learned ? "learned" : "duplicate"),
            (error: unknown) => logError("learning from a signal failed", error, request.requestId),
          );
        }
        const judgeConfig = config.judge;
        if (judgeConfig !== undefined && request.prompt !== undefined && request.answer !== undefined && random() < judgeConfig.sampleRate) {
          runJudge(context, request.prompt, request.answer);
        }
      } catch (error) {
        logError("recording a learning context failed", error, request.requestId);
      }
    },
    async feedback(input) {
      await writePending();
      const context = await repository.getContext(input.requestId);
      const ownerId = context !== undefined ? context.keyId : input.trace?.keyId;
      if ((context === undefined && input.trace === undefined) || (input.keyId !== null && ownerId !== input.keyId)) {
        metrics?.recordReward("feedback", "unknown");
        throw new SwitchyardError("trace_not_found", `No request "${input.requestId}" is known to this key`, { param: "request_id" });
      }
      const createdAt = context?.createdAt ?? input.trace?.createdAt ?? now();
      if (now() - createdAt > expiryMs && (context !== undefined || input.trace?.decision != null)) {
        metrics?.recordReward("feedback", "expired");
        throw new SwitchyardError("feedback_expired", `The request "${input.requestId}" is older than learning.feedbackExpiryHours (${config.feedbackExpiryHours} h); its feedback is no longer accepted`, { param: "request_id" });
      }
      // Not routed by the online router (a named model, a cascade): the feedback is stored, nothing to learn.
      if (context === undefined) return false;
      if (await repository.hasUpdate(input.requestId, "feedback")) {
        metrics?.recordReward("feedback", "duplicate");
        throw new SwitchyardError("feedback_exists", `The request "${input.requestId}" already has feedback; a request is learned from once`, { param: "request_id" });
      }
      admitFeedback(input.keyId);
      const learned = await learn(context, "feedback", input.score);
      if (!learned) {
        metrics?.recordReward("feedback", "duplicate");
        throw new SwitchyardError("feedback_exists", `The request "${input.requestId}" already has feedback; a request is learned from once`, { param: "request_id" });
      }
      metrics?.recordReward("feedback", "learned");
      return true;
    },
    updates: () => updates,
    seq: () => seq,
    async flush() {
      await writePending();
      await Promise.all([...judges]);
      await queue;
      if (sinceSnapshot > 0) await snapshot();
    },
    async prune() {
      await queue;
      return repository.prune(now() - expiryMs, snapshotSeq);
    },
  };
}
