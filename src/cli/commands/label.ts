import { readFile } from "node:fs/promises";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { SwitchyardError } from "../../core/errors.js";
import type { Target } from "../../core/target.js";
import { loadConfig, type GatewayConfig } from "../../gateway/config.js";
import { openConfiguredStore } from "../../gateway/start-gateway-from-config.js";
import { labelDataset } from "../../labelling/label-dataset.js";
import { assertTracesKeepText, labelPromptsFromTraces, readLabelPrompts, type LabelPrompt } from "../../labelling/label-prompt.js";
import { createExactMatchScorer, createJudgeLabelScorer, loadModuleScorer, type LabelScorer } from "../../labelling/label-scorer.js";
import { createUpstreamClient } from "../../providers/upstream-client.js";
import type { TraceFilter } from "../../stores/trace-record.js";
import { createUpstreamChatCaller } from "../../strategies/chat-caller.js";
import { UsageError, parseListOption, parseNumberOption } from "../usage-error.js";
import { parseTimeOption } from "./traces.js";

/**
 * `switchyard label (--from-traces [filters] | --prompts FILE) --targets a,b --judge T | --scorer exact |
 * --scorer-module PATH --out DATASET.jsonl`: labels own traffic into a routing dataset (docs/rollout.md).
 */
export function registerLabel(program: Command): void {
  program
    .command("label")
    .description("send sampled prompts to each target, score the answers (LLM judge, exact match or a module) and write a routing dataset for `switchyard train`")
    .requiredOption("--targets <ids>", "comma-separated configured targets to answer every prompt")
    .requiredOption("--out <file>", "routing dataset to write (canonical JSONL); the journal is <out>.journal.jsonl")
    .option("--config <file>", "gateway configuration: upstreams, targets and their prices, the trace store", "switchyard.yaml")
    .option("--prompts <file>", "JSONL prompts: {\"id\"?, \"prompt\" | \"messages\", \"reference\"?, \"task\"?} per line")
    .option("--from-traces", "label the prompts of stored traces (needs traces.storeText: true)")
    .option("--since <when>", "with --from-traces: only traces after this (30m, 24h, 7d, or an ISO date)")
    .option("--until <when>", "with --from-traces: only traces before this")
    .option("--key <id>", "with --from-traces: only this API key's traces")
    .option("--model <id>", "with --from-traces: only traces that asked for or were served by this model")
    .option("--judge <target>", "score with this configured target as an LLM judge")
    .option("--rubric <file>", "the judge's instructions, with {prompt}, {answer} and {reference} placeholders")
    .option("--scorer <kind>", "exact: exact match against each prompt's \"reference\"")
    .option("--scorer-module <file>", "an ES module exporting score({prompt, answer, reference}) → number in [0, 1]")
    .option("--sample <x>", "share of prompts to label, drawn by a seeded hash of each id", "1")
    .option("--seed <n>", "seed of the sample", "42")
    .option("--max-usd <x>", "stop starting calls once the journal's total spend (answers + judge) reaches this", "20")
    .option("--concurrency <n>", "calls in flight at once", "4")
    .option("--max-tokens <n>", "max_tokens sent with each answer request")
    .option("--json", "print the summary as JSON")
    .action(async (options: Record<string, string | boolean | undefined>) => {
      if (Boolean(options.prompts) === Boolean(options.fromTraces)) throw new UsageError("give exactly one of --prompts FILE or --from-traces");
      const scorers = [options.judge, options.scorer, options.scorerModule].filter((value) => value !== undefined);
      if (scorers.length !== 1) throw new UsageError("give exactly one of --judge TARGET, --scorer exact or --scorer-module FILE");
      if (options.scorer !== undefined && options.scorer !== "exact") throw new UsageError(`--scorer: unknown scorer "${String(options.scorer)}" (known: exact)`);
      if (options.rubric !== undefined && options.judge === undefined) throw new UsageError("--rubric goes with --judge");
      if (!options.fromTraces && [options.since, options.until, options.key, options.model].some((value) => value !== undefined)) {
        throw new UsageError("--since, --until, --key and --model filter traces: they go with --from-traces");
      }
      const sample = parseNumberOption("--sample", String(options.sample), { min: 0, max: 1 });
      const seed = parseNumberOption("--seed", String(options.seed), { integer: true });
      const maxUsd = parseNumberOption("--max-usd", String(options.maxUsd), { min: 0 });
      const concurrency = parseNumberOption("--concurrency", String(options.concurrency), { min: 1, max: 256, integer: true });
      const maxTokens = options.maxTokens === undefined ? undefined : parseNumberOption("--max-tokens", String(options.maxTokens), { min: 1, integer: true });
      const configPath = String(options.config);
      const config = await loadConfig(configPath);
      const targets = configuredTargets(config, configPath, "--targets", parseListOption("--targets", String(options.targets)));
      const judge = typeof options.judge === "string" ? configuredTargets(config, configPath, "--judge", [options.judge])[0]! : undefined;

      const prompts = typeof options.prompts === "string" ? await readLabelPrompts(options.prompts) : await tracePrompts(config, options);
      const upstreamClient = createUpstreamClient({ upstreams: config.upstreams });
      const caller = createUpstreamChatCaller({ upstreamClient, upstreams: config.upstreams });
      let scorer: LabelScorer;
      if (judge !== undefined) {
        const rubric = typeof options.rubric === "string" ? await readRubric(options.rubric) : undefined;
        scorer = createJudgeLabelScorer({ caller, judge, ...(rubric === undefined ? {} : { rubric }) });
      } else if (options.scorer === "exact") scorer = createExactMatchScorer();
      else scorer = await loadModuleScorer(String(options.scorerModule));

      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: "{bar} {value}/{total} answers scored | ${spent}", stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
        : undefined;
      let stop = false;
      const interrupt = () => {
        if (stop) process.exit(130);
        stop = true;
        process.stderr.write("\ninterrupted: finishing the calls in flight, then writing what is labelled (Ctrl-C again to quit now; the journal keeps everything paid for)\n");
      };
      process.on("SIGINT", interrupt);
      let started = false;
      try {
        const summary = await labelDataset({
          prompts,
          targets,
          caller,
          scorer,
          out: String(options.out),
          sample,
          seed,
          maxUsd,
          concurrency,
          ...(maxTokens === undefined ? {} : { maxTokens }),
          stopRequested: () => stop,
          onProgress: (done, total, spentUsd) => {
            if (bar === undefined) return;
            if (!started) {
              bar.start(total, done, { spent: spentUsd.toFixed(4) });
              started = true;
            } else bar.update(done, { spent: spentUsd.toFixed(4) });
          },
        });
        if (started) bar?.stop();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        const lines = [
          `labelled ${summary.linesWritten} prompts × ${targets.length} targets → ${summary.out}` +
            (summary.incompleteDropped > 0 ? ` (${summary.incompleteDropped} prompt(s) left out: not every target has a score)` : ""),
          `sample: ${summary.sampled} of ${summary.prompts} prompts; pairs settled ${summary.settled}/${summary.pairs}; answers called ${summary.answersCalled}, reused from the journal ${summary.answersReused}`,
          `scores: ${summary.scored} scored, ${summary.missing} missing (unparseable judge verdict twice)${summary.failed > 0 ? `, ${summary.failed} failed call(s) this run — run again to retry them` : ""}`,
          `cost: answers $${summary.answerCostUsd.toFixed(6)} + judge $${summary.judgeCostUsd.toFixed(6)} = $${summary.totalCostUsd.toFixed(6)} in the journal (this run $${summary.runCostUsd.toFixed(6)})`,
        ];
        if (summary.stopped === "budget") lines.push(`stopped at --max-usd ${maxUsd}: raise it and run the same command again to continue`);
        if (summary.stopped === "interrupted") lines.push("interrupted: run the same command again to continue");
        for (const failure of summary.failures) lines.push(`failed: ${failure}`);
        process.stdout.write(`${lines.join("\n")}\n`);
      } finally {
        process.off("SIGINT", interrupt);
        await upstreamClient.close();
      }
    });
}

/** The configured targets named by `flag`, or an error naming every one that is not configured. */
function configuredTargets(config: GatewayConfig, configPath: string, flag: string, ids: readonly string[]): Target[] {
  const byId = new Map(config.targets.map((target) => [target.id, target]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new SwitchyardError("invalid_config", `${flag}: not configured in ${configPath}: ${unknown.join(", ")} (configured targets: ${[...byId.keys()].join(", ")})`, { param: flag });
  }
  return ids.map((id) => byId.get(id)!);
}

async function tracePrompts(config: GatewayConfig, options: Record<string, string | boolean | undefined>): Promise<LabelPrompt[]> {
  const now = Date.now();
  const filter: Omit<TraceFilter, "limit"> = {};
  if (typeof options.since === "string") filter.since = parseTimeOption("--since", options.since, now);
  if (typeof options.until === "string") filter.until = parseTimeOption("--until", options.until, now);
  if (typeof options.key === "string") filter.keyId = options.key;
  if (typeof options.model === "string") filter.model = options.model;
  assertTracesKeepText(config.traces.storeText);
  const store = await openConfiguredStore(config);
  try {
    const { prompts, withoutText } = await labelPromptsFromTraces({ traces: store.traces, storeText: true, filter });
    if (withoutText > 0) process.stderr.write(`note: ${withoutText} trace(s) have no stored prompt text (recorded before traces.storeText was on) and are skipped\n`);
    if (prompts.length === 0) throw new SwitchyardError("invalid_dataset", "--from-traces: no stored trace with prompt text matches the filters");
    return prompts;
  } finally {
    await store.close();
  }
}

async function readRubric(path: string): Promise<string> {
  try {
    const text = await readFile(path, "utf8");
    if (!text.includes("{answer}")) throw new UsageError(`--rubric ${path}: the rubric must contain {answer} (and usually {prompt})`);
    return text;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--rubric ${path} cannot be read`);
  }
}
