import { artifactVersionOf } from "../artifacts/artifact-version.js";
import { offlineTargetsOf } from "../artifacts/offline-targets.js";
import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { createRoutingEngine } from "../core/create-routing-engine.js";
import type { RoutingLogEntry } from "../data/routing-log-entry.js";
import { evaluateOffPolicy, type EvaluateOffPolicyOptions, type OffPolicyReport } from "./evaluate-off-policy.js";
import { opeRowsOf } from "./ope-rows-of.js";

/** Options of {@link runOffPolicyEvaluation}. */
export interface RunOffPolicyEvaluationOptions extends EvaluateOffPolicyOptions {
  /** The candidate router's artifact. */
  artifact: RouterArtifact;
  entries: readonly RoutingLogEntry[];
  knob?: number;
  ignoreMissingModels?: boolean;
}

/** What `switchyard ope` reports: the estimates plus which candidate they are about. */
export interface OffPolicyEvaluation extends OffPolicyReport {
  candidate: { router: string; artifact: string };
}

/**
 * `switchyard ope` as a function: builds the candidate's routing engine from its artifact (the
 * gateway's decision path), lets it decide every logged prompt ({@link opeRowsOf}) and estimates its
 * value ({@link evaluateOffPolicy}).
 */
export async function runOffPolicyEvaluation(options: RunOffPolicyEvaluationOptions): Promise<OffPolicyEvaluation> {
  const artifactVersion = artifactVersionOf(options.artifact);
  const engine = await createRoutingEngine({ artifact: options.artifact, targets: offlineTargetsOf(options.artifact), artifactVersion });
  const rows = await opeRowsOf({ engine, entries: options.entries, knob: options.knob, ignoreMissingModels: options.ignoreMissingModels });
  const report = evaluateOffPolicy(rows, options);
  return { ...report, candidate: { router: engine.routerName, artifact: artifactVersion } };
}
