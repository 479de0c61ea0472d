import { SwitchyardError } from "../core/errors.js";
import type { EvaluationInput, RouterPredictions } from "./evaluation-input.js";

/**
 * Checks the parts of an {@link EvaluationInput} that are not the test examples (those are checked by
 * `outcomeMatrix`): a non-empty test set (`invalid_dataset`), a non-empty list of distinct model ids, distinct non-empty router names, and each
 * router's matrices shaped `[examples][models]` with finite numbers. Throws `invalid_config` naming the field.
 */
export function validateEvaluationInput(input: EvaluationInput): void {
  if (input.models.length === 0) fail("models: expected at least one model id");
  const seenModels = new Set<string>();
  input.models.forEach((model, index) => {
    if (typeof model !== "string" || model === "") fail(`models[${index}]: expected a non-empty model id`);
    if (seenModels.has(model)) fail(`models[${index}]: "${model}" is listed twice`);
    seenModels.add(model);
  });
  if (input.examples.length === 0) throw new SwitchyardError("invalid_dataset", "evaluation: examples: the test set is empty");
  const seenRouters = new Set<string>();
  input.routers.forEach((router, index) => {
    if (typeof router.name !== "string" || router.name === "") fail(`routers[${index}].name: expected a non-empty name`);
    if (seenRouters.has(router.name)) fail(`routers[${index}].name: "${router.name}" is used by two routers`);
    seenRouters.add(router.name);
    validateRouterPredictions(router, `routers[${index}] ("${router.name}")`, input.examples.length, input.models.length);
  });
}

/** Checks one router's prediction matrices against the example and model counts. */
export function validateRouterPredictions(router: RouterPredictions, where: string, exampleCount: number, modelCount: number): void {
  for (const field of ["quality", "costUsd"] as const) {
    const matrix = router[field];
    if (!Array.isArray(matrix) || matrix.length !== exampleCount) {
      fail(`${where}.${field}: expected ${exampleCount} rows (one per test example), got ${Array.isArray(matrix) ? matrix.length : typeof matrix}`);
    }
    matrix.forEach((row, exampleIndex) => {
      if (!(row instanceof Float64Array) || row.length !== modelCount) {
        fail(`${where}.${field}[${exampleIndex}]: expected a Float64Array of ${modelCount} values (one per model)`);
      }
      row.forEach((value, modelIndex) => {
        if (!Number.isFinite(value)) fail(`${where}.${field}[${exampleIndex}][${modelIndex}]: expected a finite number, got ${value}`);
      });
    });
  }
  const calibration = router.calibration;
  if (calibration !== undefined) {
    const { willingnessToPay, spendUsd } = calibration;
    if (!Array.isArray(willingnessToPay) || !Array.isArray(spendUsd) || willingnessToPay.length === 0 || willingnessToPay.length !== spendUsd.length) {
      fail(`${where}.calibration: expected willingnessToPay and spendUsd arrays of the same non-zero length`);
    }
    [...willingnessToPay, ...spendUsd].forEach((value) => {
      if (!Number.isFinite(value)) fail(`${where}.calibration: expected finite numbers, got ${value}`);
    });
  }
}

function fail(message: string): never {
  throw new SwitchyardError("invalid_config", `evaluation: ${message}`);
}
