import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadRouterArtifact } from "../../artifacts/router-artifact.js";
import { createRoutingEngine } from "../../core/create-routing-engine.js";
import type { Decision } from "../../core/decision.js";
import { queryOfPrompt, type RouteOptions } from "../../core/query.js";
import type { Target } from "../../core/target.js";
import { UsageError, parseListOption, parseNumberOption } from "../usage-error.js";

/** `switchyard route`: routes one prompt or a JSONL batch with a trained artifact and prints the decisions. */
export function registerRoute(program: Command): void {
  program
    .command("route")
    .description("route one prompt (--prompt) or a JSONL batch (--input, one {\"prompt\": …} or {\"messages\": …} per line) and print decisions")
    .requiredOption("--artifact <file>", "router artifact written by `switchyard train` (required)")
    .option("--prompt <text>", "one prompt to route")
    .option("--input <file>", "JSONL batch: one object with `prompt` or `messages` (and optional `id`) per line")
    .option("--quality <x>", "knob in [0, 1]: 0 = cheapest, 1 = best", "0.5")
    .option("--allowed-models <ids>", "comma-separated candidate restriction")
    .option("--explain", "print each candidate's predicted quality and cost and why the winner won")
    .action(async (options: Record<string, string | boolean | undefined>) => {
      if (Boolean(options.prompt) === Boolean(options.input)) throw new UsageError("give exactly one of --prompt or --input");
      const quality = parseNumberOption("--quality", String(options.quality), { min: 0, max: 1 });
      const routeOptions: RouteOptions = { quality };
      if (options.allowedModels) routeOptions.allowedModels = parseListOption("--allowed-models", String(options.allowedModels));
      const artifact = await loadRouterArtifact(String(options.artifact));
      // The artifact's own cost model prices every model it was trained on; no upstream is called.
      const targets: Target[] = artifact.models.map((id) => ({ id, inputUsdPerMTok: 0, outputUsdPerMTok: 0, contextWindow: 128_000 }));
      const engine = await createRoutingEngine({ artifact, targets });
      const prompts = options.prompt ? [{ id: undefined, prompt: String(options.prompt) }] : await readBatch(String(options.input));
      for (const item of prompts) {
        const query = "messages" in item ? { id: item.id, messages: item.messages, options: routeOptions } : queryOfPrompt(item.prompt, routeOptions, item.id);
        const decision = await engine.decide(query);
        process.stdout.write(options.explain ? explainDecision(decision, item.id) : `${JSON.stringify({ id: item.id, ...decision })}\n`);
      }
    });
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
