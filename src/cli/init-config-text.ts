import { UsageError } from "./usage-error.js";

/** One target `switchyard init` writes. */
export interface InitTarget {
  id: string;
  upstream: string;
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  /** Model (or Azure deployment) name sent upstream, when it differs from `id`. */
  upstreamModel?: string;
  contextWindow?: number;
}

interface ProviderPreset {
  /** One line above the upstream entry. */
  comment: string;
  upstream: (options: InitConfigOptions) => Record<string, string | number>;
  /** Example targets written when no `--target` names this upstream. */
  exampleTargets: InitTarget[];
}

/**
 * The provider presets of `switchyard init`. Prices are list prices in USD per million tokens at the time
 * of writing; the file says to check them, because the router's cost predictions use them.
 */
export const providerPresets: Record<"openai" | "anthropic" | "azure" | "compatible", ProviderPreset> = {
  openai: {
    comment: "OpenAI (https://platform.openai.com); the key is read from OPENAI_API_KEY at start-up",
    upstream: () => ({ name: "openai", baseUrl: "https://api.openai.com/v1", apiKeyEnv: "OPENAI_API_KEY" }),
    exampleTargets: [
      { id: "gpt-4o-mini", upstream: "openai", inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6, contextWindow: 128_000 },
      { id: "gpt-4o", upstream: "openai", inputUsdPerMTok: 2.5, outputUsdPerMTok: 10, contextWindow: 128_000 },
    ],
  },
  anthropic: {
    comment: "Anthropic Messages API, translated to and from OpenAI's format; key from ANTHROPIC_API_KEY",
    upstream: () => ({ name: "anthropic", kind: "anthropic", baseUrl: "https://api.anthropic.com/v1", apiKeyEnv: "ANTHROPIC_API_KEY", defaultMaxTokens: 4096 }),
    exampleTargets: [
      { id: "claude-haiku", upstream: "anthropic", upstreamModel: "claude-3-5-haiku-latest", inputUsdPerMTok: 0.8, outputUsdPerMTok: 4, contextWindow: 200_000 },
      { id: "claude-sonnet", upstream: "anthropic", upstreamModel: "claude-sonnet-4-5", inputUsdPerMTok: 3, outputUsdPerMTok: 15, contextWindow: 200_000 },
    ],
  },
  azure: {
    comment: "Azure OpenAI: your resource URL; each target's upstreamModel is your deployment's name; key from AZURE_OPENAI_API_KEY",
    upstream: (options) => ({ name: "azure", kind: "azure-openai", baseUrl: options.azureUrl, apiKeyEnv: "AZURE_OPENAI_API_KEY", apiVersion: "2024-10-21" }),
    exampleTargets: [{ id: "azure-gpt-4o-mini", upstream: "azure", upstreamModel: "YOUR-GPT-4O-MINI-DEPLOYMENT", inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6, contextWindow: 128_000 }],
  },
  compatible: {
    comment: "any OpenAI-compatible server (vLLM, Ollama, LiteLLM, OpenRouter, Together, Groq, …)",
    upstream: (options) => ({
      name: "compatible",
      baseUrl: options.compatibleBaseUrl ?? "http://127.0.0.1:11434/v1",
      ...(options.compatibleApiKeyEnv === undefined ? {} : { apiKeyEnv: options.compatibleApiKeyEnv }),
    }),
    exampleTargets: [],
  },
};

/** A preset name of `switchyard init --provider`. */
export type ProviderPresetName = keyof typeof providerPresets;

/** Options of {@link initConfigText}. */
export interface InitConfigOptions {
  providers: readonly ProviderPresetName[];
  /** Explicit targets; a provider none of them names gets its preset's example targets. */
  targets: readonly InitTarget[];
  artifact: string;
  azureUrl: string;
  compatibleBaseUrl?: string;
  compatibleApiKeyEnv?: string;
}

/** Parses `--target ID,UPSTREAM,IN_USD,OUT_USD` (commas, because model ids contain `/` and `:`). */
export function parseTargetSpec(spec: string): InitTarget {
  const parts = spec.split(",").map((part) => part.trim());
  const [id, upstream, input, output] = parts;
  const inputUsdPerMTok = Number(input);
  const outputUsdPerMTok = Number(output);
  if (parts.length !== 4 || !id || !upstream || input === "" || output === "" || !(inputUsdPerMTok >= 0) || !(outputUsdPerMTok >= 0)) {
    throw new UsageError(`--target must be ID,UPSTREAM,INPUT_USD_PER_MTOK,OUTPUT_USD_PER_MTOK (e.g. gpt-4o-mini,openai,0.15,0.6), got ${JSON.stringify(spec)}`);
  }
  return { id, upstream, inputUsdPerMTok, outputUsdPerMTok };
}

/**
 * The text of a commented `switchyard.yaml` (the schema is `gatewayConfigSchema`; every value written is
 * one it accepts, which `switchyard init` checks before writing).
 */
export function initConfigText(options: InitConfigOptions): string {
  const named = new Set(options.targets.map((target) => target.upstream));
  const upstreams = new Set<string>(options.providers);
  const unknown = options.targets.find((target) => !upstreams.has(target.upstream));
  if (unknown) throw new UsageError(`--target ${unknown.id}: upstream "${unknown.upstream}" is not one of the chosen --provider presets (${options.providers.join(", ")})`);
  const targets = [...options.targets, ...options.providers.flatMap((name) => (named.has(name) ? [] : providerPresets[name].exampleTargets))];
  const lines = [
    "# Switchyard gateway configuration, written by `switchyard init`.",
    "# Reference: docs/production.md (every field and its default); start it with `switchyard serve --config switchyard.yaml`.",
    "",
    "server:",
    "  host: 127.0.0.1          # loopback only; use 0.0.0.0 behind your own TLS proxy, and create API keys first",
    "  port: 8080",
    "",
    "router:",
    "  # The trained router (`switchyard train --dataset … --out router.json`). It routes `model: \"auto\"`",
    "  # among the targets below whose ids it was trained on; other targets are reachable by name only.",
    "  # Relative paths are relative to this file.",
    `  artifact: ${yamlScalar(options.artifact)}`,
    "  defaultQuality: 0.5       # 0 = cheapest … 1 = best, when a request sets no `quality`",
    "",
    "upstreams:",
  ];
  for (const name of options.providers) {
    lines.push(`  # ${providerPresets[name].comment}`);
    lines.push(`  - ${flowMap(providerPresets[name].upstream(options))}`);
  }
  lines.push(
    "",
    "# The models `auto` chooses among, with list prices in USD per million tokens (check your provider's",
    "# current prices: cost predictions, budgets and the cost–quality trade-off use them).",
    "targets:",
  );
  for (const target of targets) lines.push(`  - ${flowMap({ id: target.id, upstream: target.upstream, upstreamModel: target.upstreamModel, inputUsdPerMTok: target.inputUsdPerMTok, outputUsdPerMTok: target.outputUsdPerMTok, contextWindow: target.contextWindow })}`);
  lines.push(
    "",
    "store:",
    "  kind: sqlite               # API keys, budgets, traces; `memory` keeps nothing across restarts",
    "  path: ./switchyard-data/switchyard.db",
    "",
    "traces:",
    "  storeText: false           # true keeps prompts and answers with each trace (needed to label and retrain on your traffic)",
    "",
  );
  return lines.join("\n");
}

function flowMap(value: Record<string, string | number | undefined>): string {
  const entries = Object.entries(value).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  return `{ ${entries.map(([key, item]) => `${key}: ${yamlScalar(item)}`).join(", ")} }`;
}

/** A YAML scalar: numbers as they are, strings double-quoted when YAML would read them otherwise. */
function yamlScalar(value: string | number): string {
  if (typeof value === "number") return String(value);
  return /^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(value) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value) ? value : JSON.stringify(value);
}
