import { readFile } from "node:fs/promises";
import { z } from "zod";
import { datasetError, formatFieldPath, messageOf } from "./dataset-error.js";
import type { DatasetModel } from "./routing-example.js";

const price = z.number({ error: (issue) => (issue.input === undefined ? "required" : "expected a non-negative number (USD per million tokens)") })
  .min(0, { error: "expected a non-negative number (USD per million tokens)" });

/** `models.json` as datasets ship it; extra fields (`note`, `parameters`, …) are ignored. */
const modelsFileSchema = z.object({
  models: z.array(
    z.object({
      id: z.string({ error: (issue) => (issue.input === undefined ? "required" : "expected a string") }).min(1, { error: "expected a non-empty string" }),
      inputUsdPerMTok: price,
      outputUsdPerMTok: price,
      description: z.string().optional().catch(undefined),
    }),
    { error: (issue) => (issue.input === undefined ? "required" : "expected an array") },
  ),
}, { error: 'expected an object with a "models" array' });

/**
 * Reads a dataset's `models.json` (`{"models": [{"id", "inputUsdPerMTok", "outputUsdPerMTok", "description"?}]}`).
 * Returns `undefined` when the file does not exist; a malformed file is an `invalid_dataset` error.
 */
export async function readModelsJson(path: string): Promise<DatasetModel[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw datasetError({ file: path }, `cannot read: ${messageOf(error)}`, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw datasetError({ file: path }, `invalid JSON: ${messageOf(error)}`, error);
  }
  const parsed = modelsFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw datasetError({ file: path, field: issue ? formatFieldPath(issue.path) : undefined }, issue?.message ?? "invalid");
  }
  return parsed.data.models.map((model) => ({
    id: model.id,
    inputUsdPerMTok: model.inputUsdPerMTok,
    outputUsdPerMTok: model.outputUsdPerMTok,
    ...(model.description === undefined ? {} : { description: model.description }),
  }));
}

/** Warns about dataset models that a present `models.json` gives no price for. */
export function unpricedModelWarnings(models: readonly string[], modelInfo: readonly { id: string }[], modelsPath: string): string[] {
  if (modelInfo.length === 0) return [];
  const priced = new Set(modelInfo.map((model) => model.id));
  const unpriced = models.filter((model) => !priced.has(model));
  return unpriced.length === 0 ? [] : [`${modelsPath} has no price for: ${unpriced.join(", ")}`];
}
