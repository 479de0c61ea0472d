import { SwitchyardError } from "../core/errors.js";
import type { TrainingSet } from "./router-trainer.js";

/**
 * Checks what every learned router needs of its training set: at least one example and one model,
 * one embedding and one token count per example, all embeddings of one length. Throws
 * `invalid_dataset` naming the router and the problem.
 */
export function assertTrainingSet(kind: string, data: TrainingSet): void {
  const n = data.examples.length;
  const fail = (message: string): never => {
    throw new SwitchyardError("invalid_dataset", `${kind} router: training set ${message}`);
  };
  if (n === 0) fail("has no examples");
  if (data.models.length === 0) fail("has no models");
  if (data.embeddings.length !== n) fail(`has ${data.embeddings.length} embeddings for ${n} examples`);
  if (data.promptTokens.length !== n) fail(`has ${data.promptTokens.length} token counts for ${n} examples`);
  const dimension = data.embeddings[0]!.length;
  if (dimension === 0) fail("has empty embeddings");
  data.embeddings.forEach((embedding, i) => {
    if (embedding.length !== dimension) fail(`embedding ${i} has ${embedding.length} dimensions, the first has ${dimension}`);
  });
}
