import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { offlineTargetsOf } from "../../artifacts/offline-targets.js";
import { loadRouterArtifact } from "../../artifacts/router-artifact.js";
import { createRoutingEngine } from "../../core/create-routing-engine.js";
import type { Decision } from "../../core/decision.js";
import { queryOfPrompt, type RouteOptions } from "../../core/query.js";
import type { RoutingEngine } from "../../core/routing-engine.js";
import { UsageError, parseListOption, parseNumberOption } from "../usage-error.js";

/**
 * `switchyard route`: routes one prompt or a JSONL batch with a trained artifact and prints the decisions;
 * with `--output`, batch routing to a JSONL file of compact decisions.
 *
 * @example
 * switchyard route --artifact router.json --input prompts.jsonl --output decisions.jsonl --quality 0.3
 */
export function registerRoute(program: Command): void {
  program
    .command("route")
    .description("route one prompt (--prompt) or a JSONL batch (--input, one {\"prompt\": …} or {\"messages\": …} per line) and print decisions")
    .requiredOption("--artifact <file>", "router artifact written by `switchyard train` (required)")
    .option("--prompt <text>", "one prompt to route")
    .option("--input <file>", "JSONL batch: one object with `prompt` or `messages` (and optional `id`) per line; canonical routing JSONL works as is")
    .option("--output <file>", "with --input: write one {id, model, predictedQuality, predictedCostUsd} line per prompt here (batch routing)")
    .option("--quality <x>", "knob in [0, 1]: 0 = cheapest, 1 = best", "0.5")
    .option("--allowed-models <ids>", "comma-separated candidate restriction")
    .option("--explain", "print each candidate's predicted quality and cost and why the winner won")
    .action(async (options: Record<string, string | boolean | undefined>) => {
      if (Boolean(options.prompt) === Boolean(options.input)) throw new UsageError("give exactly one of --prompt or --input");
      if (options.output && !options.input) throw new UsageError("--output needs --input");
      if (options.output && options.explain) throw new UsageError("--output writes decisions as JSONL; --explain prints them for people: give one");
      const quality = parseNumberOption("--quality", String(options.quality), { min: 0, max: 1 });
      const routeOptions: RouteOptions = { quality };
      if (options.allowedModels) routeOptions.allowedModels = parseListOption("--allowed-models", String(options.allowedModels));
      const artifact = await loadRouterArtifact(String(options.artifact));
      // The artifact's own cost model prices every model it was trained on; no upstream is called.
      const engine = await createRoutingEngine({ artifact, targets: offlineTargetsOf(artifact) });
      const prompts = options.prompt ? [{ id: undefined, prompt: String(options.prompt) }] : await readBatch(String(options.input));
      if (options.output) {
        const started = performance.now();
        const cpuStarted = process.cpuUsage();
        const written = await routeBatch({ engine, items: prompts.map((item, i) => ({ ...item, id: item.id ?? String(i + 1) })), routeOptions, out: String(options.output) });
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuStarted);
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        // CPU time beside wall time: on a busy machine the wall rate says more about the neighbours.
        process.stderr.write(`routed ${written} prompt${written === 1 ? "" : "s"} in ${seconds.toFixed(2)} s: ${Math.round(written / Math.max(seconds, 1e-9))} prompts/s wall, ${Math.round(written / Math.max(cpuSeconds, 1e-9))} per CPU-second → ${String(options.output)}\n`);
        return;
      }
      for (const item of prompts) {
        const query = "messages" in item ? { id: item.id, messages: item.messages, options: routeOptions } : queryOfPrompt(item.prompt, routeOptions, item.id);
        const decision = await engine.decide(query);
        process.stdout.write(options.explain ? explainDecision(decision, item.id) : `${JSON.stringify({ id: item.id, ...decision })}\n`);
      }
    });
}

/** Options of {@link routeBatch}. */
export interface RouteBatchOptions {
  engine: RoutingEngine;
  items: ReadonlyArray<BatchItem & { id: string }>;
  routeOptions: RouteOptions;
  /** Output JSONL path. */
  out: string;
}

/**
 * Batch routing: decides every item with `RoutingEngine.decide` — the gateway's decision, one prompt at a
 * time, so batch and single decisions cannot drift apart — and streams one
 * `{"id", "model", "predictedQuality", "predictedCostUsd"}` line per item to `out`. Returns the count.
 */
export async function routeBatch(options: RouteBatchOptions): Promise<number> {
  const out = createWriteStream(options.out);
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  let buffer = "";
  for (const item of options.items) {
    const query = "messages" in item ? { id: item.id, messages: item.messages, options: options.routeOptions } : queryOfPrompt(item.prompt, options.routeOptions, item.id);
    const decision = await options.engine.decide(query);
    const chosen = decision.candidates.find((candidate) => candidate.model === decision.model)!;
    buffer += `${JSON.stringify({ id: item.id, model: decision.model, predictedQuality: chosen.predictedQuality, predictedCostUsd: chosen.predictedCostUsd })}\n`;
    // Writes in ~64 KB chunks: one write per line costs more than deciding it.
    if (buffer.length >= 65_536) {
      if (!out.write(buffer)) await Promise.race([new Promise<void>((resolve) => out.once("drain", () => resolve())), failed]);
      buffer = "";
    }
  }
  out.write(buffer);
  await Promise.race([new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve()))), failed]);
  return options.items.length;
}

type BatchItem = { id: string | undefined; prompt: string } | { id: string | undefined; messages: Array<{ role: string; content: unknown }> };

async function readBatch(path: string): Promise<BatchItem[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`--input ${path} cannot be read`);
  }
  const items: BatchItem[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:${index + 1}: not valid JSON`);
    }
    const object = value as { id?: unknown; prompt?: unknown; messages?: unknown };
    const id = typeof object.id === "string" || typeof object.id === "number" ? String(object.id) : undefined;
    if (typeof object.prompt === "string") items.push({ id, prompt: object.prompt });
    else if (Array.isArray(object.messages) && object.messages.every((m) => m && typeof m === "object" && typeof (m as { role?: unknown }).role === "string")) {
      items.push({ id, messages: object.messages as Array<{ role: string; content: unknown }> });
    } else throw new UsageError(`${path}:${index + 1}: expected a string "prompt" or a "messages" array of {role, content}`);
  });
  return items;
}

/** A human-readable explanation: every candidate's prediction, and the margin by which the winner won. */
export function explainDecision(decision: Decision, id?: string): string {
  const lines = [`${id ? `${id}: ` : ""}${decision.router} chose ${decision.model} at willingness-to-pay $${decision.willingnessToPay.toExponential(3)} per unit quality (${decision.decisionMs.toFixed(2)} ms)`];
  lines.push("  candidate                              quality   cost (USD)   objective = wtp × quality − cost");
  for (const candidate of decision.candidates) {
    lines.push(`  ${candidate.model === decision.model ? "▶" : " "} ${candidate.model.padEnd(36)} ${candidate.predictedQuality.toFixed(3).padStart(7)}   ${candidate.predictedCostUsd.toExponential(3).padStart(10)}   ${candidate.objective.toExponential(4)}`);
  }
  const [winner, runnerUp] = decision.candidates;
  if (winner && runnerUp) {
    const qualityGain = winner.predictedQuality - runnerUp.predictedQuality;
    const costDifference = winner.predictedCostUsd - runnerUp.predictedCostUsd;
    lines.push(
      qualityGain >= 0 && costDifference <= 0
        ? `  why: ${winner.model} is predicted at least as good (${qualityGain >= 0 ? "+" : ""}${qualityGain.toFixed(3)}) and no dearer than the runner-up ${runnerUp.model}`
        : qualityGain > 0
          ? `  why: ${winner.model} is predicted ${qualityGain.toFixed(3)} better than ${runnerUp.model} for $${costDifference.toExponential(2)} more, worth it at this willingness-to-pay`
          : `  why: ${winner.model} saves $${(-costDifference).toExponential(2)} against ${runnerUp.model} for ${(-qualityGain).toFixed(3)} less predicted quality, worth it at this willingness-to-pay`,
    );
  }
  return `${lines.join("\n")}\n`;
}
