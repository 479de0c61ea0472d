import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";
import { targetSchema } from "../core/target.js";
import { adminConfigSchema } from "../limits/admin-key.js";
import { targetCapabilitiesSchema } from "../providers/request-needs.js";
import { circuitBreakerSchema } from "../resilience/circuit-breaker.js";
import { retryPolicySchema } from "../resilience/retry-policy.js";
import { guardConfigSchema } from "../guard/guard-config.js";
import { policyConfigSchema } from "../routers/policy/policy-config.js";
import { strategiesConfigSchema } from "../strategies/strategy-config.js";
import { learningConfigSchema } from "../learning/learning-config.js";
import { dashboardConfigSchema } from "../dashboard/dashboard-config.js";
import { coordinationConfigSchema } from "../coordination/coordination-config.js";
import { imageUrlPolicySchema } from "./content-parts.js";
import { resolveEnvReferences } from "./resolve-env-references.js";
import { resolveStorePaths, storeConfigSchema } from "../stores/store-config.js";

/** Schema of the `server` section: where the gateway listens and how much it accepts. */
export const serverConfigSchema = z
  .object({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Largest request body accepted; larger ones get 413 before they are parsed. */
    maxBodyBytes: z.number().int().positive().default(1_048_576),
    /** On SIGTERM: how long in-flight requests (streams included) may take to finish (default 10000). */
    shutdownGraceMs: z.number().int().min(0).optional(),
    /** Deepest JSON nesting accepted in a request body (default 64). */
    maxJsonDepth: z.number().int().min(4).max(10_000).optional(),
    /** Time a client has to send the request headers; slower ones get 408 and are disconnected (default 10000). */
    headersTimeoutMs: z.number().int().positive().default(10_000),
    /** Time a client has to send the whole request, body included (default 60000). */
    requestTimeoutMs: z.number().int().positive().default(60_000),
    /** Which image URLs requests may carry (default `https:` and `data:`, no private hosts); never fetched by the gateway. */
    imageUrls: imageUrlPolicySchema.prefault({}),
  })
  .strict();

/** Schema of the `router` section: the trained artifact and the default position on the cost–quality curve. */
export const routerConfigSchema = z
  .object({
    /** Router artifact (JSON) made by `switchyard train`; relative paths are relative to the config file. */
    artifact: z.string().min(1).optional(),
    /** Quality knob used when a request gives neither `quality` nor `x-switchyard-quality`. */
    defaultQuality: z.number().min(0).max(1).default(0.5),
    /**
     * Shadow mode: a candidate artifact decides every routed request, off the response path, and is only
     * logged (docs/rollout.md). Without `artifact` no shadow runs at start, and the settings apply to one
     * started later (`switchyard reload --shadow`).
     */
    shadow: z
      .object({
        artifact: z.string().min(1).optional(),
        /** Queries collect this long before they go to the shadow's worker in one message (0: every event-loop turn). */
        batchMs: z.number().int().min(0).max(1000).optional(),
        /** Undecided shadow queries beyond which requests are skipped (status `skipped`, counted). */
        maxPending: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict()
      .optional(),
    /** Canary: a seeded share of routed requests is served by a candidate artifact, with mixture propensities logged (docs/rollout.md). */
    canary: z
      .object({
        artifact: z.string().min(1),
        /** Share of routed requests the candidate serves, in [0, 1]. */
        share: z.number().min(0).max(1),
        /** Seed of the draws that pick the arm (default 1). */
        seed: z.number().int().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Schema of one upstream: an OpenAI-compatible base URL and how to authenticate to it. */
export const upstreamConfigSchema = z
  .object({
    name: z.string().min(1),
    /** Base URL including the version prefix, e.g. `https://api.openai.com/v1`. */
    baseUrl: z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" }),
    /** Literal API key (prefer `apiKeyEnv`; never logged). */
    apiKey: z.string().min(1).optional(),
    /** Name of the environment variable holding the API key (read at start-up). */
    apiKeyEnv: z.string().min(1).optional(),
    /** Time allowed for the upstream's response headers, and between body chunks. */
    timeoutMs: z.number().int().positive().default(60_000),
    /** Wire format: `openai` (default; any OpenAI-compatible server), `azure-openai` or `anthropic`. */
    kind: z.enum(["openai", "azure-openai", "anthropic"]).optional(),
    /** Azure OpenAI `api-version` query parameter (default `2024-10-21`). */
    apiVersion: z.string().min(1).optional(),
    /** Time allowed to open the TCP (and TLS) connection (default 5000). */
    connectTimeoutMs: z.number().int().positive().optional(),
    /** Time allowed for a whole call, streamed body included (default 300000). */
    totalTimeoutMs: z.number().int().positive().optional(),
    /**
     * Largest answer accepted from this upstream, JSON or whole stream (default 33554432 = 32 MiB): past
     * it the body is discarded and the client gets 502 `upstream_response_too_large`.
     */
    maxResponseBytes: z.number().int().positive().optional(),
    /** Anthropic: `max_tokens` sent when the client gives none (the Messages API requires it; default 4096). */
    defaultMaxTokens: z.number().int().positive().optional(),
  })
  .strict();

/** Schema of one target: the core target fields plus what it can do (for filtering before routing). */
export const gatewayTargetSchema = targetSchema
  .extend({
    /** Declared capabilities; an undeclared one counts as present. */
    capabilities: targetCapabilitiesSchema.optional(),
    /**
     * Most completion tokens per answer (the provider's output limit, or less to bound spend). Always
     * sent upstream as the request's cap (the smallest of it and the client's `max_tokens` /
     * `max_completion_tokens`); default `limits.defaultMaxOutputTokens`.
     */
    maxOutputTokens: z.number().int().positive().optional(),
    /** The target's OpenAI tokenizer for budgets and context checks (default: from the model name); `none` for other families. */
    tokenizer: z.enum(["o200k_base", "cl100k_base", "none"]).optional(),
  })
  .strict();

/** Schema of the `store` section: `sqlite://PATH` (default), `postgres://…`, `memory://`, or the object forms (src/stores/store-config.ts). */
export const storeSectionSchema = storeConfigSchema;

/** Schema of the `auth` section. */
export const authConfigSchema = z
  .object({
    /** File with the per-install pepper of key hashes (default: `key-pepper` beside the store); `SWITCHYARD_KEY_PEPPER` wins. */
    pepperFile: z.string().min(1).optional(),
  })
  .strict();

/** Schema of the `limits` section: budget estimates and how routing tightens near a budget. */
export const limitsConfigSchema = z
  .object({
    /**
     * A target's output cap when it sets no `maxOutputTokens`: sent upstream as `max_tokens` (or
     * `max_completion_tokens`) when the client asks for more or sets none, and reserved on budgets.
     */
    defaultMaxOutputTokens: z.number().int().positive().default(4096),
    /** Below this fraction of its budget left, a key's routing cost cap shrinks. */
    lowBudgetFraction: z.number().gt(0).max(1).default(0.2),
    /** In that zone, the rest of the budget is spread over at least this many requests. */
    spreadOverRequests: z.number().int().positive().default(50),
  })
  .strict();

/** Schema of the `traces` section. */
export const tracesConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Store prompt and response text with each trace (off by default). */
    storeText: z.boolean().default(false),
    /** Traces older than this are pruned (hourly and at start-up); 0 keeps them forever. */
    retentionDays: z.number().min(0).default(30),
    /** Traces are written in batches at least this often. */
    flushIntervalMs: z.number().int().positive().default(500),
    /**
     * Share of requests refused before routing (no or bad key, malformed body, rate limit) stored as
     * traces; they are always counted in the metrics. 0 (default) stores none, 1 stores all.
     */
    sampleRejected: z.number().min(0).max(1).default(0),
  })
  .strict();

/** Schema of the `resilience` section. */
export const resilienceConfigSchema = z
  .object({
    retry: retryPolicySchema.prefault({}),
    breaker: circuitBreakerSchema.prefault({}),
  })
  .strict();

/** Schema of the `logging` section. */
export const loggingConfigSchema = z
  .object({
    level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    /** One JSON line per request (request id, key id, model, status, latency). */
    requests: z.boolean().default(true),
    /** Keep prompt and answer text in log lines (off by default). */
    logPrompts: z.boolean().default(false),
  })
  .strict();

/** Schema of the `metrics` section: who may read `GET /metrics` (and `/readyz`'s per-target detail). */
export const metricsConfigSchema = z
  .object({
    /**
     * Require the admin key (`admin.keyEnv`) to read `/metrics`. Default: required as soon as an API key
     * exists (the metrics name keys, models and spend); a gateway without keys (loopback) stays open.
     */
    requireAdminKey: z.boolean().optional(),
  })
  .strict();

/** Schema of a whole `switchyard.yaml`. */
export const gatewayConfigSchema = z
  .object({
    server: serverConfigSchema.prefault({}),
    router: routerConfigSchema.prefault({}),
    upstreams: z.array(upstreamConfigSchema).min(1),
    targets: z.array(gatewayTargetSchema).min(1),
    store: storeSectionSchema.prefault({}),
    /** Shared state of many instances: `redis://…` or `{ url, onFailure, reservationExpiryMs, … }`; absent: one process (docs/deploy.md). */
    coordination: coordinationConfigSchema.optional(),
    auth: authConfigSchema.prefault({}),
    limits: limitsConfigSchema.prefault({}),
    traces: tracesConfigSchema.prefault({}),
    resilience: resilienceConfigSchema.prefault({}),
    logging: loggingConfigSchema.prefault({}),
    /** The operator's admin key (read from an environment variable): guards `/metrics` and the admin endpoints (reload, rollback; docs/rollout.md). */
    admin: adminConfigSchema.prefault({}),
    metrics: metricsConfigSchema.prefault({}),
    /** `model: "cascade"` / `model: "fan-out"` strategies (docs/cascades.md). */
    strategies: strategiesConfigSchema.prefault({}),
    /** Guard stage: unsafe and out-of-domain requests, on every request unless `appliesTo: routed` (docs/guard-and-policy.md). */
    guard: guardConfigSchema.optional(),
    /** Route policy for `model: "auto"`: declared routes restrict the router's candidates (docs/guard-and-policy.md). */
    policy: policyConfigSchema.optional(),
    /** Online learning of a bandit router: feedback expiry, judge, signals, budget pacing (docs/online-learning.md, section "In the gateway"). */
    learning: learningConfigSchema.prefault({}),
    /** The web dashboard at `/ui` and its admin JSON API (docs/dashboard.md); off by default. */
    ui: dashboardConfigSchema.prefault({}),
  })
  .strict();

/** Model names the strategies answer to; no target may use them. */
const reservedStrategyNames = new Set(["cascade", "fan-out"]);

/** Validated, frozen gateway configuration. */
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
/** One configured upstream. */
export type UpstreamConfig = z.infer<typeof upstreamConfigSchema>;
/** One configured target (a core `Target` plus capabilities). */
export type GatewayTarget = z.infer<typeof gatewayTargetSchema>;

/** Options for {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Directory relative paths (`router.artifact`) are resolved against; defaults to the source's directory. */
  baseDir?: string;
  /** `${VAR}` references were already resolved (by {@link loadConfig}): a `${` left is a literal. */
  referencesResolved?: boolean;
}

/**
 * Validates a configuration object (already parsed from YAML or JSON), resolves `router.artifact`
 * against the config file's directory, gives every target its upstream, and deep-freezes the result.
 * Throws `SwitchyardError("invalid_config")` naming the source and the field path.
 *
 * @example
 * const config = parseConfig({ upstreams: [{ name: "openai", baseUrl: "https://api.openai.com/v1", apiKeyEnv: "OPENAI_API_KEY" }],
 *   targets: [{ id: "gpt-4o-mini", inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 }] }, "inline");
 */
export function parseConfig(value: unknown, sourceName: string, options: ParseConfigOptions = {}): GatewayConfig {
  const parsed = gatewayConfigSchema.safeParse(value ?? {}, { reportInput: true });
  if (!parsed.success) throw new SwitchyardError("invalid_config", `${sourceName}: ${describeIssues(parsed.error.issues)}`);
  const config = parsed.data;
  const fail = (path: string, message: string): never => {
    throw new SwitchyardError("invalid_config", `${sourceName}: ${path}: ${message}`);
  };

  const upstreamNames = new Set<string>();
  config.upstreams.forEach((upstream, index) => {
    if (upstreamNames.has(upstream.name)) fail(`upstreams.${index}.name`, `duplicate upstream name "${upstream.name}"`);
    upstreamNames.add(upstream.name);
    if (upstream.apiKey !== undefined && upstream.apiKeyEnv !== undefined) {
      fail(`upstreams.${index}`, "give either apiKey or apiKeyEnv, not both");
    }
    if (options.referencesResolved !== true && upstream.apiKey !== undefined && /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/.test(upstream.apiKey)) {
      fail(`upstreams.${index}.apiKey`, "looks like an unresolved ${VARIABLE} reference (only config files read by loadConfig resolve them); give the variable's name as apiKeyEnv instead");
    }
    // Credentials in a URL would be dropped by the HTTP client and printed wherever the URL is logged.
    const url = new URL(upstream.baseUrl);
    if (url.username !== "" || url.password !== "") {
      fail(`upstreams.${index}.baseUrl`, "credentials in the URL (user:password@host) are not used; remove them and give the key as apiKeyEnv (or apiKey)");
    }
  });

  const targetIds = new Set<string>();
  const onlyUpstream = config.upstreams.length === 1 ? config.upstreams[0]?.name : undefined;
  const targets = config.targets.map((target, index) => {
    if (target.id === "auto") fail(`targets.${index}.id`, `"auto" is reserved for routed requests`);
    if (reservedStrategyNames.has(target.id)) fail(`targets.${index}.id`, `"${target.id}" is reserved for the ${target.id} strategy (strategies section)`);
    if (targetIds.has(target.id)) fail(`targets.${index}.id`, `duplicate target id "${target.id}"`);
    targetIds.add(target.id);
    const upstream = target.upstream ?? onlyUpstream;
    if (upstream === undefined) return fail(`targets.${index}.upstream`, "required when more than one upstream is configured");
    if (!upstreamNames.has(upstream)) {
      fail(`targets.${index}.upstream`, `unknown upstream "${upstream}" (configured: ${[...upstreamNames].join(", ")})`);
    }
    return { ...target, upstream };
  });

  const dashboardDefault = config.ui.defaultModel;
  if (dashboardDefault !== undefined && !targetIds.has(dashboardDefault)) fail("ui.defaultModel", `unknown target "${dashboardDefault}" (configured: ${[...targetIds].join(", ")})`);
  const judgeTarget = config.learning.judge?.target;
  if (judgeTarget !== undefined && !targetIds.has(judgeTarget)) fail("learning.judge.target", `unknown target "${judgeTarget}" (configured: ${[...targetIds].join(", ")})`);

  const baseDir = options.baseDir ?? dirname(resolve(sourceName));
  const guard = config.guard === undefined ? undefined : resolveGuardPaths(config.guard, baseDir);
  const policy =
    config.policy === undefined || config.policy.matcher.kind !== "classifier"
      ? config.policy
      : { ...config.policy, matcher: { ...config.policy.matcher, artifact: resolve(baseDir, config.policy.matcher.artifact) } };
  const router = {
    ...config.router,
    ...(config.router.artifact === undefined ? {} : { artifact: resolve(baseDir, config.router.artifact) }),
    ...(config.router.shadow?.artifact === undefined ? {} : { shadow: { ...config.router.shadow, artifact: resolve(baseDir, config.router.shadow.artifact) } }),
    ...(config.router.canary === undefined ? {} : { canary: { ...config.router.canary, artifact: resolve(baseDir, config.router.canary.artifact) } }),
  };
  const store = resolveStorePaths(config.store, baseDir);
  const auth = config.auth.pepperFile === undefined ? config.auth : { ...config.auth, pepperFile: resolve(baseDir, config.auth.pepperFile) };
  return deepFreeze({ ...config, router, targets, store, auth, ...(guard ? { guard } : {}), ...(policy ? { policy } : {}) });
}

/** The guard section with its artifact paths resolved against the config file's directory. */
function resolveGuardPaths(guard: NonNullable<GatewayConfig["guard"]>, baseDir: string): NonNullable<GatewayConfig["guard"]> {
  const safety = guard.safety?.artifact === undefined ? guard.safety : { ...guard.safety, artifact: resolve(baseDir, guard.safety.artifact) };
  const outOfDomain = guard.outOfDomain === undefined ? undefined : { ...guard.outOfDomain, artifact: resolve(baseDir, guard.outOfDomain.artifact) };
  return { appliesTo: guard.appliesTo, ...(safety ? { safety } : {}), ...(outOfDomain ? { outOfDomain } : {}) };
}

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Where `${NAME}` references are resolved (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Reads and validates a YAML (or JSON) configuration file; see {@link parseConfig}. `${NAME}` and
 * `${NAME:-default}` in string values are replaced by environment variables first (an unset one is an
 * error naming it and the field; `$${` is a literal `${`).
 *
 * @example
 * const config = await loadConfig("switchyard.yaml");
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SwitchyardError("invalid_config", `${path}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? "error"})`, { cause: error });
  }
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : "invalid YAML";
    throw new SwitchyardError("invalid_config", `${path}: ${detail}`, { cause: error });
  }
  return parseConfig(resolveEnvReferences(value, { env: options.env ?? process.env, sourceName: path }), path, { baseDir: dirname(resolve(path)), referencesResolved: true });
}

/** Resolves an upstream's API key: the literal `apiKey`, then the `apiKeyEnv` variable; undefined when neither is set. */
export function apiKeyOf(upstream: UpstreamConfig, index: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (upstream.apiKey !== undefined) return upstream.apiKey;
  if (upstream.apiKeyEnv === undefined) return undefined;
  const value = env[upstream.apiKeyEnv];
  if (value === undefined || value === "") {
    throw new SwitchyardError(
      "invalid_config",
      `upstreams.${index} ("${upstream.name}"): the environment variable ${upstream.apiKeyEnv} (apiKeyEnv) is not set; set it, or give upstreams.${index}.apiKey`,
    );
  }
  return value;
}

/**
 * One line naming the most useful problem: an unknown field first (a typo also makes its intended
 * field "missing"), with the missing sibling it probably meant.
 */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const unknown = issues.find((issue) => issue.code === "unrecognized_keys");
  const first = unknown ?? issues[0];
  if (!first) return "invalid";
  const where = issuePath(first.path);
  let detail = issueMessage(first);
  if (first.code === "unrecognized_keys") {
    const missing = issues
      .filter((issue) => issue.code === "invalid_type" && issue.input === undefined && issuePath(issue.path.slice(0, -1)) === where)
      .map((issue) => String(issue.path[issue.path.length - 1]));
    const guess = missing.find((name) => first.keys.some((key) => key.toLowerCase() === name.toLowerCase()));
    if (guess !== undefined) detail += ` (did you mean "${guess}"?)`;
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  return `${where ? `${where}: ` : ""}${detail}${more}`;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((key) => String(key)).join(".");
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}`;
  // Values are not echoed: a misplaced secret must not end up in a log.
  if (issue.code === "invalid_type") return issue.input === undefined ? `required (expected ${issue.expected})` : `expected ${issue.expected}, got ${kindOf(issue.input)}`;
  return issue.message;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
