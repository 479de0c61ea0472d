import { SwitchyardError } from "../core/errors.js";
import { costUsdOf } from "../core/target.js";
import type { Target } from "../core/target.js";
import type { UpstreamConfig } from "../gateway/config.js";
import type { UpstreamClient } from "../providers/upstream-client.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/** One non-streamed chat call a strategy makes (an answer, a judge's grade, an aggregator's fusion). */
export interface ChatCallRequest {
  target: Target;
  /** OpenAI chat-completion body; `model` is set by the caller from the target, `stream` is forced off. */
  body: Readonly<Record<string, unknown>>;
  signal?: CancelSignal;
}

/** Token usage of one call. */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** What one call returned: the answer text, usage, its USD cost (target prices × usage) and the raw JSON. */
export interface ChatCallResult {
  text: string;
  usage: ChatUsage;
  costUsd: number;
  raw: unknown;
}

/**
 * The only way strategies reach models. The gateway implements it with its upstream client (see
 * {@link createUpstreamChatCaller}); tests may script it.
 */
export type ChatCaller = (request: ChatCallRequest) => Promise<ChatCallResult>;

/** Options of {@link createUpstreamChatCaller}. */
export interface UpstreamChatCallerOptions {
  upstreamClient: UpstreamClient;
  /** The configured upstreams; a target's `upstream` names one (a target without one uses the first). */
  upstreams: readonly UpstreamConfig[];
  /** Sent upstream as `x-request-id`. */
  requestId?: string;
}

/**
 * A {@link ChatCaller} over an {@link UpstreamClient}: puts `target.upstreamModel ?? target.id` into
 * `body.model`, drops `stream`/`stream_options` and Switchyard's own fields, reads the JSON answer's first
 * choice and `usage`, and prices it with the target's prices.
 *
 * @example
 * const caller = createUpstreamChatCaller({ upstreamClient, upstreams: config.upstreams });
 * const { text, costUsd } = await caller({ target, body: { messages } });
 */
export function createUpstreamChatCaller(options: UpstreamChatCallerOptions): ChatCaller {
  const byName = new Map(options.upstreams.map((upstream) => [upstream.name, upstream]));
  return async ({ target, body, signal }) => {
    const upstream = target.upstream === undefined ? options.upstreams[0] : byName.get(target.upstream);
    if (upstream === undefined) throw new SwitchyardError("internal_error", `Target "${target.id}" has no configured upstream`);
    const { stream: _stream, stream_options: _streamOptions, allowed_models: _allowed, quality: _quality, ...rest } = body;
    const response = await options.upstreamClient.chatCompletion({
      target,
      upstream,
      body: { ...rest, model: target.upstreamModel ?? target.id },
      signal,
      requestId: options.requestId,
    });
    if (response.body.kind !== "json") {
      throw new SwitchyardError("upstream_error", `Upstream "${upstream.name}" streamed an answer to a non-streamed request`);
    }
    return chatResultOf(response.body.value, target);
  };
}

/** Reads an OpenAI `chat.completion` object tolerantly: first choice's text, usage (0 when absent), cost. */
export function chatResultOf(value: unknown, target: Target): ChatCallResult {
  const record = (value ?? {}) as { choices?: Array<{ message?: { content?: unknown } }>; usage?: Partial<ChatUsage> };
  const content = record.choices?.[0]?.message?.content;
  const text = typeof content === "string" ? content : "";
  const usage: ChatUsage = {
    prompt_tokens: finiteOrZero(record.usage?.prompt_tokens),
    completion_tokens: finiteOrZero(record.usage?.completion_tokens),
  };
  return { text, usage, costUsd: costUsdOf(target, usage.prompt_tokens, usage.completion_tokens), raw: value };
}

function finiteOrZero(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}
