import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";

/** Message roles of the chat-completions API. */
export const chatRoles = ["system", "developer", "user", "assistant", "tool", "function"] as const;

const roleSchema = z.string({ error: "expected a string role" }).refine((role) => (chatRoles as readonly string[]).includes(role), {
  error: `expected one of ${chatRoles.join(", ")}`,
});
/** A content part: an object with a string `type`; its other fields are the part type's business. */
const contentPartSchema = z.looseObject({ type: z.string({ error: "expected a content part with a string type" }) }, { error: "expected a content part object" });
const messageSchema = z.looseObject(
  {
    role: roleSchema,
    content: z.union([z.string(), z.array(contentPartSchema)], { error: "expected a string or an array of content parts" }).nullish(),
    name: z.string().max(256).optional(),
    tool_calls: z.array(z.looseObject({ id: z.string().optional(), type: z.string().optional(), function: z.looseObject({ name: z.string(), arguments: z.string().optional() }).optional() })).optional(),
    tool_call_id: z.string().optional(),
  },
  { error: "expected a message object" },
);
const toolSchema = z.looseObject(
  {
    type: z.string({ error: "expected a tool with a string type" }),
    function: z.looseObject({ name: z.string({ error: "required: the function name" }).min(1).max(256), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }).optional(),
  },
  { error: "expected a tool object" },
).refine((tool) => tool.type !== "function" || tool.function !== undefined, { error: "a function tool needs `function: { name, … }`", path: ["function"] });
const positiveInteger = z.number({ error: "expected a positive integer" }).int("expected a positive integer").positive("expected a positive integer");
const penalty = z.number({ error: "expected a number in [-2, 2]" }).min(-2, "must be in [-2, 2]").max(2, "must be in [-2, 2]");

/**
 * Schema of an OpenAI chat-completion request as the gateway needs it. Unknown fields are kept and
 * forwarded unchanged (a new OpenAI parameter works without a gateway release); the fields the API
 * defines are type- and range-checked here, so a wrong value is a clear 400 naming the field rather
 * than whatever each upstream makes of it. `allowed_models` and `quality` are Switchyard's own
 * extensions and are not forwarded.
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z
    .string({ error: (issue) => `${issue.input === undefined ? "required" : "expected a string"}: a target id or "auto"` })
    .min(1, "must not be empty")
    .max(256, "must be at most 256 characters"),
  messages: z
    .array(messageSchema, {
      error: (issue) => (issue.input === undefined ? "required: an array of messages" : "expected an array of messages"),
    })
    .min(1, "must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number({ error: "expected a number in [0, 2]" }).min(0, "must be in [0, 2]").max(2, "must be in [0, 2]").nullish(),
  top_p: z.number({ error: "expected a number in [0, 1]" }).min(0, "must be in [0, 1]").max(1, "must be in [0, 1]").nullish(),
  n: z.number({ error: "expected an integer in [1, 128]" }).int("expected an integer in [1, 128]").min(1, "must be in [1, 128]").max(128, "must be in [1, 128]").nullish(),
  max_tokens: positiveInteger.nullish(),
  max_completion_tokens: positiveInteger.nullish(),
  presence_penalty: penalty.nullish(),
  frequency_penalty: penalty.nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4, "at most 4 stop sequences")], { error: "expected a string or an array of up to 4 strings" }).nullish(),
  seed: z.number({ error: "expected an integer" }).int("expected an integer").nullish(),
  user: z.string({ error: "expected a string" }).max(512, "must be at most 512 characters").optional(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number({ error: "expected an integer in [0, 20]" }).int().min(0).max(20, "must be in [0, 20]").nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100, "biases must be in [-100, 100]").max(100, "biases must be in [-100, 100]"), { error: "expected an object of token id → bias" }).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  tools: z.array(toolSchema, { error: "expected an array of tools" }).optional(),
  tool_choice: z.union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.string() })], { error: 'expected "none", "auto", "required" or a tool choice object' }).nullish(),
  response_format: z.looseObject({ type: z.string({ error: "expected { type: text | json_object | json_schema }" }) }, { error: "expected { type: text | json_object | json_schema }" }).nullish(),
  /** Restrict routing to these target ids. */
  allowed_models: z.array(z.string(), { error: "expected an array of target ids" }).optional(),
  /** Position on the cost–quality curve: 0 = cheapest, 1 = best. */
  quality: z.number({ error: "expected a number in [0, 1]" }).min(0, "must be in [0, 1]").max(1, "must be in [0, 1]").optional(),
});

/** A validated chat-completion request (unknown fields kept). */
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/**
 * Validates a parsed body; throws `SwitchyardError("invalid_request")` naming the field (OpenAI's `param`).
 * The common shape (text messages, scalar sampling fields) is checked by {@link plainChatRequestOf}
 * without zod; everything else, and every invalid body, goes through the schema.
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  const plain = plainChatRequestOf(body);
  if (plain !== undefined) return plain;
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

const roles: ReadonlySet<string> = new Set(chatRoles);
const isNumberIn = (value: unknown, min: number, max: number) => typeof value === "number" && value >= min && value <= max;
const isIntegerIn = (value: unknown, min: number, max: number) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;

/**
 * Whether a top-level field, when present, is valid by the schema's rules — checked here only for
 * scalar fields; a field of the schema not listed here sends the body to zod.
 */
const plainFieldChecks: ReadonlyMap<string, (value: unknown) => boolean> = new Map([
  ["stream", (value: unknown) => value === null || typeof value === "boolean"],
  ["logprobs", (value: unknown) => value === null || typeof value === "boolean"],
  ["parallel_tool_calls", (value: unknown) => value === null || typeof value === "boolean"],
  ["temperature", (value: unknown) => value === null || isNumberIn(value, 0, 2)],
  ["top_p", (value: unknown) => value === null || isNumberIn(value, 0, 1)],
  ["presence_penalty", (value: unknown) => value === null || isNumberIn(value, -2, 2)],
  ["frequency_penalty", (value: unknown) => value === null || isNumberIn(value, -2, 2)],
  ["n", (value: unknown) => value === null || isIntegerIn(value, 1, 128)],
  ["max_tokens", (value: unknown) => value === null || isIntegerIn(value, 1, Number.MAX_SAFE_INTEGER)],
  ["max_completion_tokens", (value: unknown) => value === null || isIntegerIn(value, 1, Number.MAX_SAFE_INTEGER)],
  ["seed", (value: unknown) => value === null || isIntegerIn(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)],
  ["user", (value: unknown) => typeof value === "string" && value.length <= 512],
]);
const schemaFields: ReadonlySet<string> = new Set(Object.keys(chatCompletionRequestSchema.shape));

function isPlainMessage(message: unknown): boolean {
  if (message === null || typeof message !== "object" || Array.isArray(message)) return false;
  const { role, content, name, tool_calls: toolCalls, tool_call_id: toolCallId } = message as Record<string, unknown>;
  if (typeof role !== "string" || !roles.has(role)) return false;
  if (content !== undefined && content !== null && typeof content !== "string") return false;
  if (name !== undefined && (typeof name !== "string" || name.length > 256)) return false;
  return toolCalls === undefined && toolCallId === undefined;
}

/**
 * The body itself when it is certainly valid by {@link chatCompletionRequestSchema} and of the common
 * shape — a model name, text messages, scalar fields the schema checks by type and range, and any
 * unknown fields (kept, as the schema keeps them) — else undefined (then zod decides, and words the
 * error). Conservative on purpose: it never accepts a body the schema rejects (a test checks this on
 * generated bodies), and anything it is unsure of goes to the schema.
 */
export function plainChatRequestOf(body: unknown): ChatCompletionRequest | undefined {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  const { model, messages } = fields;
  if (typeof model !== "string" || model.length < 1 || model.length > 256) return undefined;
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  for (const message of messages) if (!isPlainMessage(message)) return undefined;
  for (const key in fields) {
    if (key === "model" || key === "messages") continue;
    const check = plainFieldChecks.get(key);
    if (check !== undefined) {
      if (!check(fields[key])) return undefined;
    } else if (schemaFields.has(key) || key === "__proto__") {
      return undefined;
    }
  }
  return fields as ChatCompletionRequest;
}
