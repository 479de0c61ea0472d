import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { SwitchyardError } from "../../core/errors.js";
import { configErrorOf } from "../../guard/config-error.js";
import { fitPolicyThresholds, type LabelledUtterance } from "../../routers/policy/fit-policy-thresholds.js";
import { createPolicyMatcher } from "../../routers/policy/load-policy-router.js";
import { policyConfigSchema } from "../../routers/policy/policy-config.js";
import { UsageError } from "../usage-error.js";

/**
 * `switchyard fit-policy`: fits each route's matcher threshold from labelled utterances and writes the
 * policy back with the thresholds filled in.
 *
 * @example
 * switchyard fit-policy --policy routes.yaml --examples labelled.jsonl --out fitted.yaml
 */
export function registerFitPolicy(program: Command): void {
  program
    .command("fit-policy")
    .description("fit per-route thresholds of a route policy from labelled utterances (JSONL: {\"text\": …, \"route\": name | null})")
    .requiredOption("--policy <file>", "policy YAML (the policy itself, or a config with a `policy:` section) (required)")
    .requiredOption("--examples <file>", "labelled utterances, one {\"text\", \"route\"} per line; route null or \"default\" = belongs to no route (required)")
    .requiredOption("--out <file>", "where to write the policy with fitted thresholds (required)")
    .action(async (options: { policy: string; examples: string; out: string }) => {
      const document = await readYaml(options.policy);
      const nested = isRecord(document) && "policy" in document && !("routes" in document);
      const policyInput = nested ? (document as Record<string, unknown>).policy : document;
      const parsed = policyConfigSchema.safeParse(policyInput);
      if (!parsed.success) throw configErrorOf(nested ? "policy" : "", parsed.error, options.policy);
      const policy = parsed.data;
      const utterances = await readUtterances(options.examples, new Set(policy.routes.map((route) => route.name)));
      const matcher = await createPolicyMatcher(policy, { baseDirectory: dirname(resolve(options.policy)) });
      const fits = await fitPolicyThresholds(matcher, utterances);
      const thresholdOf = new Map(fits.map((fit) => [fit.route, fit.threshold]));
      const routes = (policyInput as { routes: Record<string, unknown>[] }).routes.map((route) => {
        const threshold = thresholdOf.get(String(route.name));
        return threshold === undefined ? route : { ...route, threshold: Number(threshold.toFixed(4)) };
      });
      const fitted = { ...(policyInput as Record<string, unknown>), routes };
      await writeFile(options.out, stringifyYaml(nested ? { ...(document as Record<string, unknown>), policy: fitted } : fitted));
      process.stdout.write(`| route | examples matched | threshold | accuracy before | accuracy after |\n|---|---|---|---|---|\n`);
      for (const fit of fits) process.stdout.write(`| ${fit.route} | ${fit.examples} | ${fit.threshold.toFixed(4)} | ${fit.accuracyBefore.toFixed(3)} | ${fit.accuracyAfter.toFixed(3)} |\n`);
      const unfitted = policy.routes.filter((route) => !thresholdOf.has(route.name)).map((route) => route.name);
      if (unfitted.length > 0) process.stdout.write(`no utterance matched ${unfitted.join(", ")}: thresholds left as they were\n`);
      process.stdout.write(`wrote ${options.out}\n`);
    });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function readYaml(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`--policy ${path} cannot be read`);
  }
  try {
    return parseYaml(text) as unknown;
  } catch (cause) {
    throw new SwitchyardError("invalid_config", `${path}: not valid YAML (${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)})`, { cause });
  }
}

async function readUtterances(path: string, routes: ReadonlySet<string>): Promise<LabelledUtterance[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`--examples ${path} cannot be read`);
  }
  const utterances: LabelledUtterance[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${path}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new SwitchyardError("invalid_dataset", `${where}: not valid JSON`);
    }
    if (!isRecord(value)) throw new SwitchyardError("invalid_dataset", `${where}: expected an object {"text", "route"}`);
    const utterance = value.text ?? value.prompt;
    if (typeof utterance !== "string" || utterance.trim() === "") throw new SwitchyardError("invalid_dataset", `${where}: field text must be a non-empty string`);
    const route = value.route;
    if (route === null || route === undefined || route === "default") utterances.push({ text: utterance, route: null });
    else if (typeof route === "string" && routes.has(route)) utterances.push({ text: utterance, route });
    else throw new SwitchyardError("invalid_dataset", `${where}: field route must be one of ${[...routes].join(", ")}, null or "default"; got ${JSON.stringify(route)}`);
  });
  if (utterances.length === 0) throw new SwitchyardError("invalid_dataset", `${path}: no labelled utterances`);
  return utterances;
}
