import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../gateway/config.js";
import { UsageError, parseListOption } from "../usage-error.js";
import { initConfigText, parseTargetSpec, providerPresets, type InitTarget, type ProviderPresetName } from "../init-config-text.js";

/** `switchyard init`: writes a commented `switchyard.yaml` for the chosen providers, validated before it is written. */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write a commented switchyard.yaml: upstreams from provider presets (API keys from environment variables) and their targets")
    .option("--provider <names>", `comma-separated presets: ${Object.keys(providerPresets).join(", ")}`, "openai")
    .option("--target <id,upstream,inUsd,outUsd>", "a target (repeatable): model id, upstream name, USD per million input and output tokens; default: each preset's examples", collect, [])
    .option("--base-url <url>", "base URL of the `compatible` upstream (any OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1)")
    .option("--api-key-env <name>", "environment variable holding the `compatible` upstream's API key (none by default: local servers need none)")
    .option("--azure-url <url>", "Azure OpenAI resource URL", "https://YOUR-RESOURCE.openai.azure.com")
    .option("--artifact <file>", "router artifact the gateway loads (written by `switchyard train`)", "router.json")
    .option("--out <file>", "where to write the configuration", "switchyard.yaml")
    .option("--force", "overwrite an existing file")
    .action(async (options: { provider: string; target: string[]; baseUrl?: string; apiKeyEnv?: string; azureUrl: string; artifact: string; out: string; force?: boolean }) => {
      const names = parseListOption("--provider", options.provider);
      const unknown = names.find((name) => !(name in providerPresets));
      if (unknown !== undefined) throw new UsageError(`--provider: unknown preset "${unknown}" (known: ${Object.keys(providerPresets).join(", ")})`);
      if (new Set(names).size !== names.length) throw new UsageError(`--provider lists a preset twice: ${options.provider}`);
      const providers = names as ProviderPresetName[];
      if (providers.includes("compatible") && options.baseUrl === undefined) throw new UsageError("--base-url is required with --provider compatible");
      const targets: InitTarget[] = options.target.map((spec) => parseTargetSpec(spec));
      if (providers.includes("compatible") && targets.every((target) => target.upstream !== "compatible")) {
        throw new UsageError("--provider compatible needs at least one --target MODEL,compatible,IN_USD,OUT_USD (its models are yours to name)");
      }
      const out = resolve(options.out);
      if (existsSync(out) && !options.force) throw new UsageError(`${options.out} already exists; pass --force to overwrite it`);
      const text = initConfigText({
        providers,
        targets,
        artifact: options.artifact,
        azureUrl: options.azureUrl,
        ...(options.baseUrl === undefined ? {} : { compatibleBaseUrl: options.baseUrl }),
        ...(options.apiKeyEnv === undefined ? {} : { compatibleApiKeyEnv: options.apiKeyEnv }),
      });
      // The file must be one `serve` accepts: a preset or flag that breaks the schema fails here, not at start-up.
      parseConfig(parseYaml(text), options.out);
      await writeFile(out, text);
      process.stdout.write(
        [
          `wrote ${options.out} (${providers.join(", ")})`,
          "next: set the API key variables it names, edit the targets and prices, train a router for these",
          `      models (${options.artifact}), then: switchyard serve --config ${options.out}`,
          "",
        ].join("\n"),
      );
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
