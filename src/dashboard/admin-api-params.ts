import { SwitchyardError } from "../core/errors.js";
import type { TraceFilter } from "../stores/trace-record.js";
import { dashboardWindows, type DashboardWindowName } from "./dashboard-window.js";

const invalid = (param: string, message: string): never => {
  throw new SwitchyardError("invalid_query_parameter", `Query parameter "${param}": ${message}`, { param });
};

/** Refuses parameters the endpoint does not know (a typo would otherwise be silently ignored) and repeated ones. */
export function checkParams(url: URL, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of url.searchParams.keys()) {
    if (!allowed.includes(name)) invalid(name, `unknown parameter (this endpoint accepts ${allowed.length === 0 ? "none" : allowed.join(", ")})`);
    if (seen.has(name)) invalid(name, "given more than once");
    seen.add(name);
  }
}

/** `window`: one of `1h`, `6h`, `24h`, `7d`, `30d` (default `24h`). */
export function windowParam(url: URL): DashboardWindowName {
  const value = url.searchParams.get("window");
  if (value === null) return "24h";
  if (!Object.hasOwn(dashboardWindows, value)) invalid("window", `expected one of ${Object.keys(dashboardWindows).join(", ")}`);
  return value as DashboardWindowName;
}

function integerParam(url: URL, name: string, min: number, max: number): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (!/^-?\d{1,16}$/.test(value)) invalid(name, `expected an integer from ${min} to ${max}`);
  const number = Number(value);
  if (number < min || number > max) invalid(name, `expected an integer from ${min} to ${max}`);
  return number;
}

/** A time: epoch milliseconds or an ISO 8601 date-time. */
function timeParam(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  const number = /^\d{1,16}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(number)) invalid(name, "expected epoch milliseconds or an ISO 8601 date-time (2026-12-05T10:00:00Z)");
  return number;
}

/** An opaque page cursor (`next` of the previous page): base64url of `createdAt:id`. */
export function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}:${id}`, "utf8").toString("base64url");
}

function cursorParam(url: URL): TraceFilter["before"] {
  const value = url.searchParams.get("cursor");
  if (value === null) return undefined;
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(value) ? Buffer.from(value, "base64url").toString("utf8") : "";
  const match = /^(\d{1,16}):(.{1,200})$/s.exec(text);
  if (match === null) return invalid("cursor", "not a cursor this API returned (use the `next` value of the previous page)");
  return { createdAt: Number(match[1]), id: match[2]! };
}

function textParam(url: URL, name: string, maxLength: number): string | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === "") return undefined;
  if (value.length > maxLength) invalid(name, `longer than ${maxLength} characters`);
  return value;
}

/** The parameters of `GET /admin/api/decisions` as a trace filter (`limit` is one more than the page, to know whether a next page exists). */
export function decisionsFilterOf(url: URL): { filter: TraceFilter; pageSize: number } {
  checkParams(url, ["limit", "cursor", "search", "model", "key", "status", "outcome", "since", "until"]);
  const pageSize = integerParam(url, "limit", 1, 200) ?? 50;
  const outcome = url.searchParams.get("outcome");
  if (outcome !== null && outcome !== "ok" && outcome !== "error") invalid("outcome", 'expected "ok" or "error"');
  const filter: TraceFilter = { limit: pageSize + 1 };
  const since = timeParam(url, "since");
  const until = timeParam(url, "until");
  if (since !== undefined && until !== undefined && since >= until) invalid("until", "must be after since");
  const before = cursorParam(url);
  const search = textParam(url, "search", 200);
  const model = textParam(url, "model", 200);
  const keyId = textParam(url, "key", 200);
  const status = integerParam(url, "status", 100, 599);
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  if (before !== undefined) filter.before = before;
  if (search !== undefined) filter.search = search;
  if (model !== undefined) filter.model = model;
  if (keyId !== undefined) filter.keyId = keyId;
  if (status !== undefined) filter.status = status;
  if (outcome === "ok" || outcome === "error") filter.outcome = outcome;
  return { filter, pageSize };
}
