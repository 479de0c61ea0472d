import type { LoaderDependencies } from "../../guard/loader-dependencies.js";
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { SwitchyardError } from "../../core/errors.js";
import { fitEmbedder } from "../../embedders/create-embedder.js";
import { configErrorOf } from "../../guard/config-error.js";
import { OutOfDomainDetector } from "../../guard/out-of-domain-detector.js";
import { createClassifierMatcher } from "./classifier-matcher.js";
import { policyConfigSchema, type PolicyConfig, type PolicyConfigInput } from "./policy-config.js";
import { createPolicyRouter, type PolicyRouter } from "./policy-router.js";
import type { RouteMatcher } from "./route-matcher.js";
import { createSimilarityMatcher } from "./similarity-matcher.js";
import type { CancelSignal } from "../../resilience/cancel-signal.js";

/** What {@link loadPolicyRouter} needs from its caller (the gateway or the CLI). */
export type PolicyRouterDependencies = LoaderDependencies;

/** Builds the matcher a policy configures: a similarity matcher fitted on the routes' texts, or a classifier artifact. */
export async function createPolicyMatcher(policy: PolicyConfig, dependencies: Pick<PolicyRouterDependencies, "baseDirectory" | "readText" | "loadEmbedder" | "now">): Promise<RouteMatcher> {
  const { matcher } = policy;
  if (matcher.kind === "similarity") {
    const texts = policy.routes.flatMap((route) => [route.description, ...route.examples]);
    const embedder = await fitEmbedder(matcher.embedder.kind, texts, matcher.embedder.options);
    return createSimilarityMatcher({ routes: policy.routes, embedder, topK: matcher.topK });
  }
  const path = isAbsolute(matcher.artifact) ? matcher.artifact : resolve(dependencies.baseDirectory, matcher.artifact);
  let artifact: unknown;
  try {
    artifact = JSON.parse(await (dependencies.readText ?? ((file: string) => readFile(file, "utf8")))(path)) as unknown;
  } catch (cause) {
    throw new SwitchyardError("invalid_config", `policy.matcher.artifact: cannot read JSON from ${path}`, { param: "policy.matcher.artifact", cause });
  }
  return createClassifierMatcher(await OutOfDomainDetector.fromArtifact(artifact, { loadEmbedder: dependencies.loadEmbedder, now: dependencies.now }));
}

/**
 * Builds a {@link PolicyRouter} from the `policy:` configuration: validates it, builds its matcher and
 * wires the judge target through `complete`. Call once at start-up.
 */
export async function loadPolicyRouter(input: PolicyConfigInput, dependencies: PolicyRouterDependencies): Promise<PolicyRouter> {
  const parsed = policyConfigSchema.safeParse(input);
  if (!parsed.success) throw configErrorOf("policy", parsed.error);
  const policy = parsed.data;
  const matcher = await createPolicyMatcher(policy, dependencies);
  const { complete } = dependencies;
  if (policy.judge && !complete) throw new SwitchyardError("invalid_config", "policy.judge is configured but the gateway gave no way to call targets");
  const judgeTarget = policy.judge?.target;
  const judge = judgeTarget && complete ? (prompt: string, signal?: CancelSignal) => complete(judgeTarget, prompt, signal) : undefined;
  return createPolicyRouter({ policy, matcher, judge, timer: dependencies.timer, now: dependencies.now });
}
