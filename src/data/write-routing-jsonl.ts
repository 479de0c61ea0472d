import { writeFile } from "node:fs/promises";
import type { Outcome, RoutingExample } from "./routing-example.js";

function orderedOutcome(outcome: Outcome): Outcome {
  const ordered: Outcome = { score: outcome.score, costUsd: outcome.costUsd };
  if (outcome.inputTokens !== undefined) ordered.inputTokens = outcome.inputTokens;
  if (outcome.outputTokens !== undefined) ordered.outputTokens = outcome.outputTokens;
  if (outcome.response !== undefined) ordered.response = outcome.response;
  return ordered;
}

/** One example as a canonical routing JSONL line (fixed key order, no trailing newline). */
export function formatRoutingExample(example: RoutingExample): string {
  const outcomes: Record<string, Outcome> = {};
  for (const [model, outcome] of Object.entries(example.outcomes)) outcomes[model] = orderedOutcome(outcome);
  return JSON.stringify({
    id: example.id,
    prompt: example.prompt,
    ...(example.task === undefined ? {} : { task: example.task }),
    ...(example.split === undefined ? {} : { split: example.split }),
    ...(example.contaminated === undefined ? {} : { contaminated: example.contaminated }),
    outcomes,
  });
}

/** Canonical routing JSONL text of `examples`: one line each, newline-terminated; same input, same bytes. */
export function formatRoutingJsonl(examples: readonly RoutingExample[]): string {
  return examples.map((example) => `${formatRoutingExample(example)}\n`).join("");
}

/** Writes `examples` as canonical routing JSONL (readable back with `readRoutingJsonl`). */
export async function writeRoutingJsonl(path: string, examples: readonly RoutingExample[]): Promise<void> {
  await writeFile(path, formatRoutingJsonl(examples), "utf8");
}
