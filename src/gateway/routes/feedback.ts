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
 * `POST /v1/feedback`: `{ request_id, score ∈ [0, 1], label? }` attached to the request's trace — the
 * data later online learning uses. With keys, a key sees only its own requests (others are 404, so
 * request ids do not leak). Answers `{ object: "feedback", request_id, score, label }`.
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
    if (services.traces === undefined) throw new SwitchyardError("trace_not_found", "Traces are disabled (traces.enabled: false), so feedback cannot be stored", { param: "request_id" });
    await services.traces.flush();
    const trace = await services.store.traces.get(requestId);
    if (trace === undefined || (key !== null && trace.keyId !== key.id)) {
      throw new SwitchyardError("trace_not_found", `No request "${requestId}" is known to this key`, { param: "request_id" });
    }
    await services.store.traces.setFeedback(requestId, { score, label: label ?? null, createdAt: context.now() });
    return new Response(JSON.stringify({ object: "feedback", request_id: requestId, score, label: label ?? null }), { status: 200, headers: { "content-type": "application/json" } });
  };
}
