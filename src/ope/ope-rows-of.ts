import { SwitchyardError } from "../core/errors.js";
import { queryOfPrompt } from "../core/query.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import type { RoutingLogEntry } from "../data/routing-log-entry.js";
import type { OpeRow } from "./ope-row.js";

/** Options of {@link opeRowsOf}. */
export interface OpeRowsOptions {
  /** The candidate router, built by `createRoutingEngine` from its artifact (the gateway's decision path). */
  engine: RoutingEngine;
  entries: readonly RoutingLogEntry[];
  /** Quality knob the candidate decides at; default each row's logged knob, else the engine's default. */
  knob?: number;
  /**
   * Evaluate even though the candidate knows models that never appear in the log (it is then restricted
   * to the logged ones, as on every row anyway). Default false: such a candidate is refused, naming them.
   */
  ignoreMissingModels?: boolean;
}

/**
 * Lets the candidate router decide every logged prompt, restricted to that row's logged candidate set
 * (it cannot be credited with a model the logger could not serve), through `RoutingEngine.decide` — the
 * same decision the gateway would make. An online (exploring) candidate is evaluated as its greedy
 * policy: the top candidate by its posterior-mean objective. Refuses (`ope_refused`) a log with prompt
 * hashes but no text, and a candidate whose models are missing from the log.
 */
export async function opeRowsOf(options: OpeRowsOptions): Promise<OpeRow[]> {
  const { engine, entries } = options;
  const withoutText = entries.filter((entry) => entry.prompt === undefined).length;
  if (withoutText > 0) {
    throw new SwitchyardError(
      "ope_refused",
      `${withoutText} of ${entries.length} log rows have no prompt text (only a hash: the gateway ran with traces.storeText off), so the candidate cannot decide them; export a log with text or evaluate on one recorded with storeText on`,
    );
  }
  const logged = new Set(entries.flatMap((entry) => entry.candidates.map((candidate) => candidate.model)));
  const known = new Set(engine.targets.map((target) => target.id));
  const missing = [...known].filter((model) => !logged.has(model));
  if (missing.length > 0 && !options.ignoreMissingModels) {
    throw new SwitchyardError(
      "ope_refused",
      `the candidate routes to ${missing.join(", ")}, which never appear among the log's candidates: nothing in the log says how they would do (train the candidate on the logged models, or pass --ignore-missing-models to restrict it to them)`,
      { param: "artifact" },
    );
  }
  const rows: OpeRow[] = [];
  const unknownRows: string[] = [];
  for (const entry of entries) {
    const allowedModels = entry.candidates.map((candidate) => candidate.model).filter((model) => known.has(model));
    if (allowedModels.length === 0) {
      unknownRows.push(entry.id);
      continue;
    }
    const quality = options.knob ?? entry.knob;
    const decision = await engine.decide(queryOfPrompt(entry.prompt!, quality === undefined ? { allowedModels } : { allowedModels, quality }, entry.id));
    const choice = decision.propensity !== undefined && decision.propensity < 1 ? decision.candidates[0]!.model : decision.model;
    const scored = new Map(decision.candidates.map((candidate) => [candidate.model, candidate]));
    const own = scored.get(choice)!;
    // A logged model the candidate does not know keeps the logging router's prediction for DR.
    const loggedPrediction = scored.get(entry.model) ?? entry.candidates.find((candidate) => candidate.model === entry.model)!;
    const row: OpeRow = {
      id: entry.id,
      loggedModel: entry.model,
      propensity: entry.propensity,
      costUsd: entry.costUsd,
      candidateModel: choice,
      predictedQualityOfChoice: own.predictedQuality,
      predictedQualityOfLogged: loggedPrediction.predictedQuality,
      predictedCostOfChoice: own.predictedCostUsd,
      predictedCostOfLogged: loggedPrediction.predictedCostUsd,
    };
    if (entry.reward !== undefined) row.reward = entry.reward;
    rows.push(row);
  }
  if (unknownRows.length > 0) {
    throw new SwitchyardError(
      "ope_refused",
      `${unknownRows.length} log rows (first: ${unknownRows[0]}) offer only models the candidate does not know (it knows ${[...known].join(", ")})`,
      { param: "artifact" },
    );
  }
  return rows;
}
