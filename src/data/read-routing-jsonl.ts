import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { commonModels } from "./common-models.js";
import { datasetError, formatFieldPath, messageOf } from "./dataset-error.js";
import { readModelsJson, unpricedModelWarnings } from "./read-models-json.js";
import type { Outcome, RoutingDataset, RoutingExample } from "./routing-example.js";

/** A zod error option: "required" when the field is absent, else `expected`. */
function expected(description: string): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => (issue.input === undefined ? "required" : description) };
}

const tokenCount = z.number(expected("expected a non-negative integer")).int({ error: "expected a non-negative integer" })
  .min(0, { error: "expected a non-negative integer" }).nullish();

const outcomeSchema = z.object({
  score: z.number(expected("expected a number in [0, 1]")).min(0, { error: "expected a number in [0, 1]" }).max(1, { error: "expected a number in [0, 1]" }),
  costUsd: z.number(expected("expected a non-negative number (USD)")).min(0, { error: "expected a non-negative number (USD)" }),
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  response: z.string(expected("expected a string")).nullish(),
}, expected("expected an object {score, costUsd, …}"));

/**
 * One line of the canonical routing JSONL. Unknown fields are ignored; `null` counts as absent for the
 * optional ones (Python writers emit `None` as `null`).
 */
export const routingExampleSchema = z.object({
  id: z.string(expected("expected a string")).min(1, { error: "expected a non-empty string" }),
  prompt: z.string(expected("expected a string")),
  task: z.string(expected("expected a string")).nullish(),
  split: z.string(expected("expected a string")).nullish(),
  contaminated: z.boolean(expected("expected true or false")).nullish(),
  outcomes: z.record(z.string(), outcomeSchema, expected("expected an object mapping model ids to outcomes"))
    .refine((outcomes) => Object.keys(outcomes).length > 0, { error: "expected at least one model's outcome" }),
}, { error: "expected a JSON object" });

type ParsedExample = z.infer<typeof routingExampleSchema>;

function toExample(parsed: ParsedExample): RoutingExample {
  const outcomes: Record<string, Outcome> = {};
  for (const [model, value] of Object.entries(parsed.outcomes)) {
    const outcome: Outcome = { score: value.score, costUsd: value.costUsd };
    if (value.inputTokens != null) outcome.inputTokens = value.inputTokens;
    if (value.outputTokens != null) outcome.outputTokens = value.outputTokens;
    if (value.response != null) outcome.response = value.response;
    outcomes[model] = outcome;
  }
  return {
    id: parsed.id,
    prompt: parsed.prompt,
    ...(parsed.task == null ? {} : { task: parsed.task }),
    ...(parsed.split == null ? {} : { split: parsed.split }),
    ...(parsed.contaminated == null ? {} : { contaminated: parsed.contaminated }),
    outcomes,
  };
}

/**
 * Parses canonical routing JSONL text (one example per line; blank lines skipped). `file` names the
 * source in error messages: `<file>:<line>: <field path>: <problem>`.
 */
export function parseRoutingJsonl(text: string, file: string): RoutingExample[] {
  const examples: RoutingExample[] = [];
  const firstLineOfId = new Map<string, number>();
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    const line = index === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim() === "") continue;
    const lineNumber = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw datasetError({ file, line: lineNumber }, `invalid JSON: ${messageOf(error)}`, error);
    }
    const parsed = routingExampleSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw datasetError({ file, line: lineNumber, field: issue ? formatFieldPath(issue.path) : undefined }, issue?.message ?? "invalid");
    }
    const firstLine = firstLineOfId.get(parsed.data.id);
    if (firstLine !== undefined) {
      throw datasetError({ file, line: lineNumber, field: "id" }, `duplicate id ${JSON.stringify(parsed.data.id)} (first on line ${firstLine})`);
    }
    firstLineOfId.set(parsed.data.id, lineNumber);
    examples.push(toExample(parsed.data));
  }
  return examples;
}

/**
 * Reads a canonical routing JSONL file (see `docs/data.md`) and the `models.json` beside it, when present.
 * A malformed line fails with an `invalid_dataset` error such as
 * `data.jsonl:17: outcomes.gpt-4.score: expected a number in [0, 1]`.
 *
 * @example
 * const dataset = await readRoutingJsonl("../shared/data/dcrouter/dataset.jsonl");
 * dataset.models; // the 9 models every prompt was answered by
 */
export async function readRoutingJsonl(path: string): Promise<RoutingDataset> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw datasetError({ file: path }, code === "ENOENT" ? "no such file" : `cannot read: ${messageOf(error)}`, error);
  }
  const examples = parseRoutingJsonl(text, path);
  if (examples.length === 0) throw datasetError({ file: path }, "no examples (the file is empty)");
  const { models, warnings } = commonModels(examples);
  const modelsPath = join(dirname(path), "models.json");
  const modelInfo = (await readModelsJson(modelsPath)) ?? [];
  return { source: path, examples, models, modelInfo, warnings: [...warnings, ...unpricedModelWarnings(models, modelInfo, modelsPath)] };
}
