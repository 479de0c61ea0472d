import { SwitchyardError } from "../core/errors.js";
import type { EvaluationReport } from "./evaluation-report.js";

/**
 * `report.json`'s text: the report, two-space indented, one trailing newline. Throws `internal_error` if a
 * number is not finite (JSON would silently turn it into null), naming its path.
 */
export function reportToJson(report: EvaluationReport): string {
  assertFinite(report, "report");
  return `${JSON.stringify(report, null, 2)}\n`;
}

function assertFinite(value: unknown, path: string): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new SwitchyardError("internal_error", `evaluation report: ${path} is ${value}, which JSON cannot hold`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => assertFinite(item, `${path}[${index}]`));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) assertFinite(item, `${path}.${key}`);
  }
}
