import { SwitchyardError } from "../core/errors.js";

/** Why a call to an upstream failed before or while it answered (not an HTTP error status). */
export type UpstreamFailureKind =
  | "connect"
  | "connection_reset"
  | "timeout_connect"
  | "timeout_first_byte"
  | "timeout_total"
  | "malformed_response"
  | "stream_cut"
  | "response_too_large"
  | "cancelled";

const timeoutKinds: ReadonlySet<UpstreamFailureKind> = new Set(["timeout_connect", "timeout_first_byte", "timeout_total"]);

/**
 * A transport-level upstream failure: unreachable, reset, timed out, an answer that is not what the
 * wire format promises, or a stream cut before its end. HTTP error statuses are `UpstreamHttpError`s.
 * Timeouts are `upstream_timeout` (504), an answer over `maxResponseBytes` is
 * `upstream_response_too_large` (502), the rest `upstream_error` (502); a cancelled call (the client
 * went away) and an oversized answer are not retryable.
 */
export class UpstreamFailure extends SwitchyardError {
  readonly kind: UpstreamFailureKind;
  readonly upstreamName: string;

  constructor(kind: UpstreamFailureKind, upstreamName: string, message: string, options: { cause?: unknown } = {}) {
    const code = timeoutKinds.has(kind) ? "upstream_timeout" : kind === "response_too_large" ? "upstream_response_too_large" : "upstream_error";
    super(code, message, { cause: options.cause, isRetryable: kind !== "cancelled" && kind !== "response_too_large" });
    this.name = "UpstreamFailure";
    this.kind = kind;
    this.upstreamName = upstreamName;
  }
}
