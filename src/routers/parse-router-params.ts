import type { z } from "zod";
import { SwitchyardError } from "../core/errors.js";

/**
 * Validates a router's `params` against its strict zod schema. A bad or unknown parameter is an
 * `invalid_config` error whose message and `param` name it, e.g.
 * `linear parameter "l2": Too small: expected number to be >0`.
 *
 * @example
 * const params = parseRouterParams("mlp", mlpParamsSchema, options.params);
 */
export function parseRouterParams<Schema extends z.ZodType>(kind: string, schema: Schema, params: unknown): z.output<Schema> {
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keys = issue && "keys" in issue && Array.isArray(issue.keys) ? issue.keys.map(String) : [];
  // An unknown key is named with its path (`changeDetection.tresh`, not `tresh`).
  const path = issue?.path.map(String) ?? [];
  const name = (keys[0] !== undefined ? [...path, keys[0]] : path).join(".") || "params";
  const message = keys.length > 0 ? "unknown parameter" : (issue?.message ?? "invalid");
  throw new SwitchyardError("invalid_config", `${kind} parameter ${JSON.stringify(name)}: ${message}`, { param: name });
}
