import { z } from "zod";

/** What the gateway does with a decision Redis cannot be asked about. */
export const failurePolicies = ["fail-closed", "fail-open"] as const;

/** Schema of `coordination.onFailure`. */
export const coordinationFailureSchema = z
  .object({
    /** Budgets while Redis is down: `fail-closed` (default) refuses keyed requests with a budget (503 `coordination_unavailable`); `fail-open` serves them and books spend in the store only. */
    budgets: z.enum(failurePolicies).default("fail-closed"),
    /** Rate limits while Redis is down: `fail-open` (default) admits, `fail-closed` refuses (503 `coordination_unavailable`). */
    rateLimits: z.enum(failurePolicies).default("fail-open"),
  })
  .strict();

/** Why a coordination URL is refused (never echoes the URL: it may carry a password). */
export function redisUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not a URL; expected redis://[user:password@]host[:port][/db] or rediss://…";
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") return `unsupported scheme "${url.protocol.replace(/:$/, "")}"; expected redis:// or rediss://`;
  if (url.hostname === "") return "the URL names no host";
  const db = url.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d{1,2}$/.test(db)) return "the path must be a database number (e.g. /0)";
  return undefined;
}

const redisUrlSchema = z.string().superRefine((value, context) => {
  const problem = redisUrlProblem(value);
  if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
});

/** Schema of the object form of `coordination`. */
export const coordinationObjectSchema = z
  .object({
    /** `redis://[user:password@]host:port[/db]` or `rediss://…`; `${REDIS_URL}` references resolve from the environment. */
    url: redisUrlSchema,
    onFailure: coordinationFailureSchema.prefault({}),
    /**
     * A budget reservation not settled within this time is released (its instance died). Must exceed the
     * longest request (default 600000 ms = 10 minutes).
     */
    reservationExpiryMs: z.number().int().min(1_000).default(600_000),
    /** A Redis command not answered within this time counts as Redis down (default 1000 ms). */
    commandTimeoutMs: z.number().int().min(10).default(1_000),
    /** Prefix of every key and channel, so deployments can share one Redis (default `switchyard:`). */
    prefix: z.string().min(1).max(64).default("switchyard:"),
  })
  .strict();

/**
 * Schema of the `coordination` section: absent (one process: everything in process), a Redis URL, or
 * the object form with policies.
 */
export const coordinationConfigSchema = z.preprocess((value) => (typeof value === "string" ? { url: value } : value), coordinationObjectSchema);

/** Validated coordination settings. */
export type CoordinationConfig = z.infer<typeof coordinationObjectSchema>;

/** The URL with its password (and user) replaced by `***`: the only form that may be logged or printed. */
export function redactedRedisUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.username !== "" || url.password !== "") {
      url.username = url.username === "" ? "" : "***";
      url.password = url.password === "" ? "" : "***";
    }
    return url.toString();
  } catch {
    return "(invalid URL)";
  }
}
