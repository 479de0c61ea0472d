import type { Command } from "commander";
import { loadRouterArtifact } from "../../artifacts/router-artifact.js";
import { readRoutingLog } from "../../data/read-routing-log.js";
import { ESTIMATOR_NAMES, SNIPS_INTERVALS, type EstimatorName, type SnipsInterval } from "../../ope/evaluate-off-policy.js";
import type { OutcomeModelKind } from "../../ope/outcome-model.js";
import { runOffPolicyEvaluation, type OffPolicyEvaluation } from "../../ope/run-off-policy-evaluation.js";
import { parseListOption, parseNumberOption, UsageError } from "../usage-error.js";

const interval = (ci: [number, number], digits: (x: number) => string) => `[${digits(ci[0])}, ${digits(ci[1])}]`;

function formatReport(report: OffPolicyEvaluation): string[] {
  const reward = (x: number) => x.toFixed(4);
  const usd = (x: number) => (Number.isFinite(x) ? `$${x.toExponential(3)}` : String(x));
  const lines = [
    `candidate ${report.candidate.router} (artifact ${report.candidate.artifact}) on ${report.rows} logged decisions, ${report.rewardedRows} with a reward`,
    `agreement with the log ${(report.agreement * 100).toFixed(1)}%, effective sample size ${report.effectiveSampleSize.toFixed(1)} (largest weight ${report.maxWeight.toFixed(1)}); DR outcome model: ${report.outcomeModel}; SNIPS reward interval: ${report.snipsInterval}`,
    "",
    `${"estimator".padEnd(10)} ${"reward".padStart(8)}  ${"95% CI".padEnd(18)}  ${"cost/request".padStart(12)}  95% CI`,
  ];
  for (const [name, result] of Object.entries(report.estimators)) {
    lines.push(`${name.padEnd(10)} ${reward(result.reward).padStart(8)}  ${interval(result.rewardCi, reward).padEnd(18)}  ${usd(result.costUsd).padStart(12)}  ${interval(result.costCi, usd)}`);
  }
  lines.push(`${"logging".padEnd(10)} ${reward(report.logging.reward).padStart(8)}  ${interval(report.logging.rewardCi, reward).padEnd(18)}  ${usd(report.logging.costUsd).padStart(12)}  ${interval(report.logging.costCi, usd)}`);
  return lines;
}

/**
 * `switchyard ope`: off-policy evaluation of a candidate router on a decision log — what it would have
 * scored and spent on the logged traffic, without serving it.
 *
 * @example
 * switchyard ope --log decisions.jsonl --artifact candidate.json --estimators snips,dr --json
 */
export function registerOpe(program: Command): void {
  program
    .command("ope")
    .description("estimate a candidate router's mean reward and cost on a decision log (IPS, SNIPS, doubly robust), without serving it")
    .requiredOption("--log <file>", "decision log (JSONL), e.g. from `switchyard traces export --format routing-log`")
    .requiredOption("--artifact <file>", "candidate router artifact")
    .option("--knob <x>", "quality knob in [0, 1] for the candidate (default: each row's logged knob, else 0.5)")
    .option("--estimators <list>", "comma-separated: ips, snips, dr", ESTIMATOR_NAMES.join(","))
    .option("--outcome-model <kind>", "DR's outcome model: calibrated (the candidate's predictions recalibrated on the log, cross-fitted) or candidate (its raw predictions)", "calibrated")
    .option("--snips-interval <kind>", "SNIPS's reward interval: betting (finite-sample valid, wider) or normal (delta method, narrower, too narrow when few heavy rows decide)", "betting")
    .option("--ignore-missing-models", "evaluate a candidate that knows models absent from the log (restricted to the logged ones)")
    .option("--json", "print the report as JSON")
    .action(async (options: { log: string; artifact: string; knob?: string; estimators: string; outcomeModel: string; snipsInterval: string; ignoreMissingModels?: boolean; json?: boolean }) => {
      const estimators = parseListOption("--estimators", options.estimators);
      for (const name of estimators) if (!(ESTIMATOR_NAMES as readonly string[]).includes(name)) throw new UsageError(`--estimators: unknown estimator ${JSON.stringify(name)} (known: ${ESTIMATOR_NAMES.join(", ")})`);
      if (options.outcomeModel !== "calibrated" && options.outcomeModel !== "candidate") throw new UsageError(`--outcome-model must be calibrated or candidate, got ${JSON.stringify(options.outcomeModel)}`);
      if (!(SNIPS_INTERVALS as readonly string[]).includes(options.snipsInterval)) throw new UsageError(`--snips-interval must be ${SNIPS_INTERVALS.join(" or ")}, got ${JSON.stringify(options.snipsInterval)}`);
      const knob = options.knob === undefined ? undefined : parseNumberOption("--knob", options.knob, { min: 0, max: 1 });
      const entries = await readRoutingLog(options.log);
      const artifact = await loadRouterArtifact(options.artifact);
      const report = await runOffPolicyEvaluation({
        artifact,
        entries,
        knob,
        ignoreMissingModels: Boolean(options.ignoreMissingModels),
        estimators: estimators as EstimatorName[],
        outcomeModel: options.outcomeModel as OutcomeModelKind,
        snipsInterval: options.snipsInterval as SnipsInterval,
      });
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatReport(report).join("\n")}\n`);
    });
}
