/**
 * The single registry of Switchyard error codes. Each code has one HTTP status and one OpenAI error
 * `type`; `docs/errors.md` lists them and a test keeps the two in step.
 */
export const errorCodes = {
  invalid_request: { status: 400, type: "invalid_request_error", retryable: false, description: "The request body is not a valid request (missing or mistyped field)." },
  invalid_json: { status: 400, type: "invalid_request_error", retryable: false, description: "The request body is not valid JSON." },
  invalid_config: { status: 400, type: "invalid_request_error", retryable: false, description: "A configuration file or option is invalid; the message names the field." },
  invalid_dataset: { status: 400, type: "invalid_request_error", retryable: false, description: "A dataset file is malformed; the message names the file, line and field." },
  invalid_artifact: { status: 400, type: "invalid_request_error", retryable: false, description: "A router artifact is corrupt, of another format, or of an unsupported version." },
  unauthorized: { status: 401, type: "authentication_error", retryable: false, description: "No valid API key was given." },
  forbidden: { status: 403, type: "permission_error", retryable: false, description: "The API key may not use this model." },
  not_found: { status: 404, type: "invalid_request_error", retryable: false, description: "No such route." },
  model_not_found: { status: 404, type: "invalid_request_error", retryable: false, description: "The requested model is neither `auto` nor a configured target." },
  method_not_allowed: { status: 405, type: "invalid_request_error", retryable: false, description: "The HTTP method is not supported on this route." },
  payload_too_large: { status: 413, type: "invalid_request_error", retryable: false, description: "The request body exceeds the configured limit." },
  unsupported_media_type: { status: 415, type: "invalid_request_error", retryable: false, description: "The request body is not JSON." },
  no_candidates: { status: 422, type: "invalid_request_error", retryable: false, description: "No target satisfies the request's constraints (allowed models, context window, features)." },
  rate_limited: { status: 429, type: "rate_limit_error", retryable: true, description: "The key is over its request or token rate." },
  budget_exceeded: { status: 429, type: "insufficient_quota", retryable: false, description: "The key's budget for the period is spent." },
  unknown_prompt: { status: 404, type: "invalid_request_error", retryable: false, description: "The replay upstream has no recorded answer for this prompt and model." },
  upstream_rejected: { status: 400, type: "invalid_request_error", retryable: false, description: "The upstream refused the request with a 4xx; the gateway passes the upstream's status (e.g. 400, 404, 413, 422, 429) and message through." },
  upstream_error: { status: 502, type: "api_error", retryable: true, description: "Every attempted upstream failed." },
  upstream_timeout: { status: 504, type: "api_error", retryable: true, description: "The upstream did not answer in time." },
  reload_failed: { status: 422, type: "invalid_request_error", retryable: false, description: "A reload or rollback of the router artifact failed (unreadable or invalid artifact, no known target, nothing to roll back to); the gateway keeps serving the artifact it had." },
  trace_not_found: { status: 404, type: "invalid_request_error", retryable: false, description: "No trace with this request id is visible to the key (feedback on an unknown request)." },
  feedback_exists: { status: 409, type: "invalid_request_error", retryable: false, description: "The request was already learned from by feedback; a request is learned from at most once (online learning)." },
  feedback_expired: { status: 410, type: "invalid_request_error", retryable: false, description: "The request is older than `learning.feedbackExpiryHours`; its feedback is no longer accepted (online learning)." },
  unavailable: { status: 503, type: "api_error", retryable: true, description: "The gateway is shutting down or not ready; retry, ideally on another instance." },
  store_unavailable: { status: 503, type: "api_error", retryable: true, description: "The store (PostgreSQL) cannot be reached; the message names the store setting, never its password." },
  coordination_unavailable: { status: 503, type: "api_error", retryable: true, description: "The shared coordination backend (Redis) cannot be reached and the configured policy refuses what it would decide (budgets by default; rate limits when fail-closed)." },
  content_policy_violation: { status: 400, type: "invalid_request_error", retryable: false, description: "The guard classified the request as unsafe and the deployment refuses such requests (no safe model is configured for them)." },
  out_of_domain: { status: 400, type: "invalid_request_error", retryable: false, description: "The request is far outside the deployment's domain (its routes) and the deployment refuses such requests." },
  ope_refused: { status: 422, type: "invalid_request_error", retryable: false, description: "Off-policy evaluation refuses to give a number it cannot trust: deterministic logging with a candidate that chooses otherwise, too little overlap, too few rewarded rows, prompts logged without text, or candidate models absent from the log; the message says which." },
  client_closed: { status: 499, type: "invalid_request_error", retryable: false, description: "The client closed the connection before the request was read or answered (logged at info, never sent)." },
  request_timeout: { status: 408, type: "invalid_request_error", retryable: true, description: "The client did not send the request headers or body in time (server.headersTimeoutMs, server.requestTimeoutMs)." },
  expectation_failed: { status: 417, type: "invalid_request_error", retryable: false, description: "The request's Expect header asks for something other than 100-continue." },
  headers_too_large: { status: 431, type: "invalid_request_error", retryable: false, description: "The request headers exceed Node's header size limit." },
  router_not_configured: { status: 400, type: "invalid_request_error", retryable: false, description: "The request asks for model \"auto\" but the gateway runs without a router artifact (explicit models only)." },
  upstream_response_too_large: { status: 502, type: "api_error", retryable: false, description: "The upstream's answer exceeded upstreams[].maxResponseBytes; the body was discarded." },
  missing_dependency: { status: 500, type: "api_error", retryable: false, description: "A feature needs an optional npm package that is not installed; the message names the package and the install command." },
  invalid_query_parameter: { status: 400, type: "invalid_request_error", retryable: false, description: "A query parameter of the admin API (`/admin/api/…`) is malformed or unknown; `param` names it." },
  internal_error: { status: 500, type: "api_error", retryable: true, description: "An unexpected error; details are in the server log, not the response." },
} as const satisfies Record<string, { status: number; type: string; retryable: boolean; description: string }>;

/** A stable error code from the registry. */
export type ErrorCode = keyof typeof errorCodes;

/** Options for {@link SwitchyardError}. */
export interface SwitchyardErrorOptions {
  /** The request field the error is about (OpenAI's `param`). */
  param?: string | null;
  cause?: unknown;
  /** Overrides the registry's retryability (decided where the error is created). */
  isRetryable?: boolean;
  /** Seconds a client should wait before retrying (sent as `retry-after`). */
  retryAfterSeconds?: number;
}

/**
 * The one error type Switchyard throws on purpose. The gateway maps it to OpenAI's error shape;
 * the CLI prints its message on one line.
 *
 * @example
 * throw new SwitchyardError("model_not_found", "The model `gpt-9` does not exist", { param: "model" });
 */
export class SwitchyardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly isRetryable: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: SwitchyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SwitchyardError";
    this.code = code;
    this.status = errorCodes[code].status;
    this.type = errorCodes[code].type;
    this.param = options.param ?? null;
    this.isRetryable = options.isRetryable ?? errorCodes[code].retryable;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** True when `value` is a {@link SwitchyardError}. */
export function isSwitchyardError(value: unknown): value is SwitchyardError {
  return value instanceof SwitchyardError;
}
