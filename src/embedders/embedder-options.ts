import type { z } from "zod";
import { SwitchyardError, type ErrorCode } from "../core/errors.js";

/**
 * Parses an embedder's options (or stored state) with its zod schema, turning the first issue into a
 * {@link SwitchyardError} that names the embedder and the field, e.g.
 * `word-vectors option sifA: Too small: expected number to be >0`.
 */
export function parseEmbedderOptions<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  context: { kind: string; what?: "option" | "state"; code?: ErrorCode },
): z.output<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  const what = context.what ?? "option";
  const code = context.code ?? (what === "state" ? "invalid_artifact" : "invalid_config");
  throw new SwitchyardError(code, `${context.kind} embedder ${what} ${path || "(root)"}: ${issue?.message ?? "invalid"}`, { param: path || null });
}
