import type { Context } from "hono";
import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import type { GatewayContext } from "../gateway-context.js";
import { readJsonBody } from "../read-json-body.js";

/** Largest `POST /v1/feedback` body: fixed, far above what the schema allows (ids ≤ 128, labels ≤ 256 characters). */
export const feedbackMaxBodyBytes = 64 * 1024;

/** Schema of `POST /v1/feedback` (strict: a misspelt field is an error, not silently ignored). */
export const feedbackRequestSchema = z
  .object({
    request_id: z
      .string({ error: (issue) => (issue.input === undefined ? "required: the x-request-id of the answer" : "expected a string") })
      .min(1, "must not be empty")
      .max(128, "must be at most 128 characters"),
    score: z.number({ error: (issue) => (issue.input === undefined ? "required: a number in [0, 1]" : "expected a number in [0, 1]") }).min(0, "must be in [0, 1]").max(1, "must be in [0, 1]"),
    label: z.string({ error: "expected a string" }).max(256, "must be at most 256 characters").nullish(),
  })
  .strict();

/**
 * `POST /v1/feedback`: `{ request_id, score ∈ [0, 1], label? }` attached to the request's trace.
 * `request_id` is the gateway's id (the `x-request-id` it answered with) or the client's own
 * `x-request-id`, looked up among this key's requests only. With keys, a key sees only its own requests
 * (others are 404, so request ids do not leak). With an online router, the score is also a reward the
 * router learns from at once (see `OnlineLearner.feedback`: once per request — a second is
 * `feedback_exists`, 409 — and within `learning.feedbackExpiryHours`, else `feedback_expired`, 410; a
 * refused feedback changes nothing). Answers `{ object: "feedback", request_id, score, label }`, plus
 * `learned` when online learning is on.
 */
export function createFeedbackHandler(context: GatewayContext): (c: Context) => Promise<Response> {
  const { services } = context;
  return async (c) => {
    const key = await services.authenticate((name) => c.req.header(name));
    const parsed = feedbackRequestSchema.safeParse(await readJsonBody(c.req.raw, feedbackMaxBodyBytes, { limitName: "the feedback endpoint's fixed limit" }));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.code === "unrecognized_keys" ? (issue.keys[0] ?? null) : issue?.path.map(String).join(".") || null;
      const message = issue?.code === "unrecognized_keys" ? `unknown field "${issue.keys.join('", "')}"` : (issue?.message ?? "invalid");
      throw new SwitchyardError("invalid_request", `Invalid feedback: ${param && issue?.code !== "unrecognized_keys" ? `${param}: ` : ""}${message}`, { param });
    }
    const { request_id: requestId, score, label } = parsed.data;
    const { learner } = context;
    if (services.traces === undefined && learner === undefined) throw new SwitchyardError("trace_not_found", "Traces are disabled (traces.enabled: false), so feedback cannot be stored", { param: "request_id" });
    await services.traces?.flush();
    const keyId = key?.id ?? null;
    // The gateway's id first (what `x-request-id` returned), then the client's own id within this key only.
    const byId = await services.store.traces.get(requestId);
    const trace = byId !== undefined && (key === null || byId.keyId === key.id) ? byId : await services.store.traces.findByClientRequestId(keyId, requestId);
    let learned: boolean | undefined;
    if (learner !== undefined) {
      // Ownership, expiry and "once per request" are checked before anything is written.
      learned = await learner.feedback({ requestId: trace?.id ?? requestId, keyId, score, trace });
    } else if (trace === undefined) {
      throw new SwitchyardError("trace_not_found", `No request "${requestId}" is known to this key`, { param: "request_id" });
    }
    if (trace !== undefined) await services.store.traces.setFeedback(trace.id, { score, label: label ?? null, createdAt: context.now() });
    const body = { object: "feedback", request_id: requestId, score, label: label ?? null, ...(learned !== undefined ? { learned } : {}) };
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  };
}
