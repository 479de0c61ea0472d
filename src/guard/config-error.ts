import type { z } from "zod";
import { SwitchyardError } from "../core/errors.js";

/**
 * An `invalid_config` error naming the first issue's path under `prefix`, e.g.
 * `guard.safety.latencyBudgetMs: Too small: expected number to be >0`.
 */
export function configErrorOf(prefix: string, error: z.ZodError, file?: string): SwitchyardError {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter((part) => part !== "").join(".") || "(root)";
  const where = file ? `${file}: ` : "";
  return new SwitchyardError("invalid_config", `${where}${path}: ${issue?.message ?? "invalid"}`, { param: path });
}
