import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";

/**
 * Schema of an OpenAI chat-completion request as the gateway needs it. Tolerant: only what the gateway
 * reads is checked, every other field (tools, temperature, …) is kept and forwarded unchanged.
 * `allowed_models` and `quality` are Switchyard's own extensions and are not forwarded.
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string({ error: (issue) => `${issue.input === undefined ? "required" : "expected a string"}: a target id or "auto"` }).min(1, "must not be empty"),
  messages: z
    .array(z.looseObject({ role: z.string({ error: "expected a string role" }) }, { error: "expected a message object" }), {
      error: (issue) => (issue.input === undefined ? "required: an array of messages" : "expected an array of messages"),
    })
    .min(1, "must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  /** Restrict routing to these target ids. */
  allowed_models: z.array(z.string(), { error: "expected an array of target ids" }).optional(),
  /** Position on the cost–quality curve: 0 = cheapest, 1 = best. */
  quality: z.number({ error: "expected a number in [0, 1]" }).min(0, "must be in [0, 1]").max(1, "must be in [0, 1]").optional(),
});

/** A validated chat-completion request (unknown fields kept). */
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/** Validates a parsed body; throws `SwitchyardError("invalid_request")` naming the field (OpenAI's `param`). */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  const parsed = chatCompletionRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue === undefined ? null : paramOf(issue.path);
  const message = issue === undefined ? "Invalid request" : `Invalid request: ${param ? `${param}: ` : ""}${issue.message}`;
  throw new SwitchyardError("invalid_request", message, { param });
}

/** `messages[0].role`-style parameter name. */
function paramOf(path: readonly PropertyKey[]): string | null {
  let param = "";
  for (const key of path) param += typeof key === "number" ? `[${key}]` : param === "" ? String(key) : `.${String(key)}`;
  return param === "" ? null : param;
}
