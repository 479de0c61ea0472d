import type { LoaderDependencies } from "./loader-dependencies.js";
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { SwitchyardError } from "../core/errors.js";
import { createBuiltinSafetyClassifier } from "./builtin-safety-classifier.js";
import { configErrorOf } from "./config-error.js";
import { guardConfigSchema, type GuardConfigInput } from "./guard-config.js";
import { createGuardModelClassifier } from "./guard-model-classifier.js";
import { OutOfDomainDetector } from "./out-of-domain-detector.js";
import type { SafetyClassifier } from "./safety-classifier.js";
import { createGuardStage, type GuardStage } from "./guard-stage.js";
import { TextClassifier } from "./text-classifier.js";

/** What {@link loadGuardStage} needs from the gateway. */
export type GuardStageDependencies = LoaderDependencies;

/**
 * Builds the guard stage from the `guard:` configuration: reads the artifacts, builds the built-in or
 * guard-model safety classifier (with its fallback) and the out-of-domain detector. Call once at start-up.
 */
export async function loadGuardStage(configInput: GuardConfigInput, dependencies: GuardStageDependencies): Promise<GuardStage> {
  const parsed = guardConfigSchema.safeParse(configInput);
  if (!parsed.success) throw configErrorOf("guard", parsed.error);
  const config = parsed.data;
  const readText = dependencies.readText ?? ((path: string) => readFile(path, "utf8"));
  const readJson = async (path: string, field: string): Promise<unknown> => {
    const full = isAbsolute(path) ? path : resolve(dependencies.baseDirectory, path);
    let text: string;
    try {
      text = await readText(full);
    } catch (cause) {
      throw new SwitchyardError("invalid_config", `${field}: cannot read ${full}`, { param: field, cause });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new SwitchyardError("invalid_artifact", `${field}: ${full} is not valid JSON`, { param: field, cause });
    }
  };

  let safety: SafetyClassifier | undefined;
  if (config.safety) {
    const { safety: settings } = config;
    const builtin = settings.artifact
      ? createBuiltinSafetyClassifier({ classifier: await TextClassifier.fromArtifact(await readJson(settings.artifact, "guard.safety.artifact"), dependencies.loadEmbedder), threshold: settings.threshold, now: dependencies.now })
      : undefined;
    if (settings.classifier === "builtin") safety = builtin;
    else {
      const { complete } = dependencies;
      if (!complete) throw new SwitchyardError("invalid_config", "guard.safety.classifier is guard-model but the gateway gave no way to call targets");
      const target = settings.target!;
      safety = createGuardModelClassifier({
        complete: (prompt, signal) => complete(target, prompt, signal),
        latencyBudgetMs: settings.latencyBudgetMs,
        fallback: settings.fallback === "builtin" ? builtin : settings.fallback,
        timer: dependencies.timer,
        now: dependencies.now,
      });
    }
  }
  const outOfDomain = config.outOfDomain
    ? await OutOfDomainDetector.fromArtifact(await readJson(config.outOfDomain.artifact, "guard.outOfDomain.artifact"), { loadEmbedder: dependencies.loadEmbedder, now: dependencies.now })
    : undefined;
  return createGuardStage({ config, safety, outOfDomain, now: dependencies.now });
}
