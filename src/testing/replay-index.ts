import type { ChatMessage } from "../core/query.js";
import { promptTextOf } from "../core/query.js";
import { estimateTokens } from "../core/tokens.js";
import { normalizePromptText } from "../data/prompt-text.js";
import type { RoutingExample } from "../data/routing-example.js";

/** A recorded answer, ready to send. */
export interface RecordedAnswer {
  text: string;
  promptTokens: number;
  completionTokens: number;
}

/** Looks recorded answers up by prompt text and model. */
export interface ReplayIndex {
  /** Every model with an outcome in the dataset, in first-seen order. */
  readonly models: readonly string[];
  /** The example whose prompt is the last user message's text (raw or decoded RouterBench form). */
  exampleFor(messages: readonly ChatMessage[]): RoutingExample | undefined;
  /** The model's recorded answer to the example, when the dataset has one. */
  answerOf(example: RoutingExample, model: string): RecordedAnswer | undefined;
}

/**
 * Indexes a routing dataset by normalised prompt text (`normalizePromptText`: RouterBench's
 * `['…']` list literals decoded, whitespace trimmed), so a client may send either the raw dataset
 * prompt or the decoded text. The first example wins when two share a prompt.
 */
export function createReplayIndex(examples: readonly RoutingExample[]): ReplayIndex {
  const byPrompt = new Map<string, RoutingExample>();
  const models = new Set<string>();
  for (const example of examples) {
    const key = normalizePromptText(example.prompt);
    if (!byPrompt.has(key)) byPrompt.set(key, example);
    for (const model of Object.keys(example.outcomes)) models.add(model);
  }
  return {
    models: [...models],
    exampleFor(messages) {
      const lastUser = [...messages].reverse().find((message) => message.role === "user");
      if (lastUser === undefined) return undefined;
      return byPrompt.get(normalizePromptText(promptTextOf([lastUser])));
    },
    answerOf(example, model) {
      const outcome = example.outcomes[model];
      if (outcome?.response === undefined) return undefined;
      // RouterBench stores answers as Python list literals too.
      const text = normalizePromptText(outcome.response);
      return {
        text,
        promptTokens: outcome.inputTokens ?? estimateTokens(normalizePromptText(example.prompt)),
        completionTokens: outcome.outputTokens ?? estimateTokens(text),
      };
    },
  };
}
