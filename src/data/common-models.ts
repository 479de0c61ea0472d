import type { RoutingExample } from "./routing-example.js";

/**
 * The model ids that have an outcome on every example, in first-seen order, plus a warning naming the
 * models that only some examples have (routers need every candidate scored on every training prompt).
 */
export function commonModels(examples: readonly RoutingExample[]): { models: string[]; warnings: string[] } {
  const counts = new Map<string, number>();
  for (const example of examples) {
    for (const model of Object.keys(example.outcomes)) counts.set(model, (counts.get(model) ?? 0) + 1);
  }
  const models: string[] = [];
  const partial: string[] = [];
  for (const [model, count] of counts) {
    if (count === examples.length) models.push(model);
    else partial.push(model);
  }
  if (partial.length === 0) return { models, warnings: [] };
  const partialSet = new Set(partial);
  const lacking = examples.filter((example) => Object.keys(example.outcomes).filter((model) => partialSet.has(model)).length < partial.length).length;
  const listed = partial.map((model) => `${model} (${counts.get(model)} of ${examples.length})`).join(", ");
  return {
    models,
    warnings: [`${lacking} of ${examples.length} examples lack some model; models left out because not every example has them: ${listed}`],
  };
}
