/** Largest token count believed from one answer; above it the report is treated as corrupt. */
export const maxReportedTokens = 10_000_000;

/**
 * Why an upstream's `usage` report cannot be believed — a count that is negative, fractional, not a
 * number or absurdly large — or undefined when it is plausible (or absent). An implausible report is
 * not stored in the ledger or traces: the caller drops it and books the reservation (an upper
 * estimate) instead, and logs the problem.
 */
export function tokenUsageProblem(usage: unknown): string | undefined {
  if (usage === undefined || usage === null) return undefined;
  if (typeof usage !== "object" || Array.isArray(usage)) return "usage is not an object";
  for (const field of ["prompt_tokens", "completion_tokens", "total_tokens"]) {
    const value = (usage as Record<string, unknown>)[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > maxReportedTokens) {
      return `usage.${field} is ${typeof value === "number" ? String(value) : typeof value}, not a token count in [0, ${maxReportedTokens}]`;
    }
  }
  return undefined;
}
