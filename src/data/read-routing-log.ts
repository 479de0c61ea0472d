import { readFile } from "node:fs/promises";
import { z } from "zod";
import { datasetError, formatFieldPath, messageOf } from "./dataset-error.js";
import type { RoutingLogEntry } from "./routing-log-entry.js";

function expected(description: string): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => (issue.input === undefined ? "required" : description) };
}

const nonNegativeUsd = z.number(expected("expected a non-negative number (USD)")).min(0, { error: "expected a non-negative number (USD)" });
const unitInterval = z.number(expected("expected a number in [0, 1]")).min(0, { error: "expected a number in [0, 1]" }).max(1, { error: "expected a number in [0, 1]" });

const candidateSchema = z.object({
  model: z.string(expected("expected a string")).min(1, { error: "expected a non-empty string" }),
  predictedQuality: z.number(expected("expected a number")),
  predictedCostUsd: nonNegativeUsd,
}, expected("expected an object {model, predictedQuality, predictedCostUsd}"));

/** One line of a routing log; unknown fields are ignored, `null` is absent for optional ones. */
export const routingLogEntrySchema = z.object({
  id: z.union([z.string().min(1), z.number()], expected("expected a non-empty string")),
  prompt: z.string(expected("expected a string")).nullish(),
  promptHash: z.string(expected("expected a string")).nullish(),
  model: z.string(expected("expected a string")).min(1, { error: "expected a non-empty string" }),
  propensity: z.number(expected("expected a probability in (0, 1]")).gt(0, { error: "expected a probability in (0, 1] (a served model has a positive probability)" }).max(1, { error: "expected a probability in (0, 1]" }),
  reward: unitInterval.nullish(),
  costUsd: nonNegativeUsd,
  costEstimated: z.boolean(expected("expected true or false")).nullish(),
  candidates: z.array(candidateSchema, expected("expected an array of candidates")).min(1, { error: "expected at least one candidate" }),
  router: z.string(expected("expected a string")),
  artifact: z.string(expected("expected a string")),
  knob: unitInterval.nullish(),
  willingnessToPay: z.number(expected("expected a number")).min(0, { error: "expected a non-negative number" }).nullish(),
  latencyMs: z.number(expected("expected a number")).nullish(),
  createdAt: z.number(expected("expected a number")).nullish(),
}, { error: "expected a JSON object" });

/**
 * Parses the text of a routing log (see {@link RoutingLogEntry}); `file` names it in errors, which say
 * `<file>:<line>: <field>: <problem>` — a line without `propensity`, a propensity of 0 or above 1, a
 * reward outside [0, 1], a served model missing from the line's candidates, a repeated id, bad JSON.
 */
export function parseRoutingLog(text: string, file: string): RoutingLogEntry[] {
  const entries: RoutingLogEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === "") continue;
    const location = { file, line: index + 1 };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw datasetError(location, `not valid JSON (${messageOf(error)})`, error);
    }
    const parsed = routingLogEntrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw datasetError({ ...location, field: formatFieldPath(issue.path) || undefined }, issue.message);
    }
    const data = parsed.data;
    const id = String(data.id);
    if (seen.has(id)) throw datasetError({ ...location, field: "id" }, `repeats the id ${JSON.stringify(id)} of an earlier line`);
    seen.add(id);
    const models = new Set<string>();
    data.candidates.forEach((candidate, i) => {
      if (models.has(candidate.model)) throw datasetError({ ...location, field: `candidates[${i}].model` }, `lists ${JSON.stringify(candidate.model)} twice`);
      models.add(candidate.model);
    });
    if (!models.has(data.model)) throw datasetError({ ...location, field: "model" }, `the served model ${JSON.stringify(data.model)} is not one of the line's candidates`);
    const entry: RoutingLogEntry = {
      id,
      model: data.model,
      propensity: data.propensity,
      costUsd: data.costUsd,
      candidates: data.candidates.map((c) => ({ model: c.model, predictedQuality: c.predictedQuality, predictedCostUsd: c.predictedCostUsd })),
      router: data.router,
      artifact: data.artifact,
    };
    if (data.prompt != null) entry.prompt = data.prompt;
    if (data.promptHash != null) entry.promptHash = data.promptHash;
    if (data.reward != null) entry.reward = data.reward;
    if (data.costEstimated != null) entry.costEstimated = data.costEstimated;
    if (data.knob != null) entry.knob = data.knob;
    if (data.willingnessToPay != null) entry.willingnessToPay = data.willingnessToPay;
    if (data.latencyMs != null) entry.latencyMs = data.latencyMs;
    if (data.createdAt != null) entry.createdAt = data.createdAt;
    entries.push(entry);
  }
  if (entries.length === 0) throw datasetError({ file }, "the routing log has no entries");
  return entries;
}

/** Reads a routing log file (JSONL); errors name the file, line and field. */
export async function readRoutingLog(path: string): Promise<RoutingLogEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw datasetError({ file: path }, `cannot read the routing log (${(error as NodeJS.ErrnoException).code ?? messageOf(error)})`, error);
  }
  return parseRoutingLog(text, path);
}

/** True when the first non-empty line of `text` looks like a routing log entry (has `propensity` and `candidates`), not a routing dataset. */
export function looksLikeRoutingLog(text: string): boolean {
  const first = text.split("\n").find((line) => line.trim() !== "");
  if (first === undefined) return false;
  try {
    const value = JSON.parse(first) as Record<string, unknown>;
    return value !== null && typeof value === "object" && "candidates" in value && !("outcomes" in value);
  } catch {
    return false;
  }
}
