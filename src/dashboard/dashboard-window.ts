import type { RollupQuery } from "../stores/trace-rollup-repository.js";

const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;

/** The time windows the dashboard shows, each with the rollup width it reads and the step of its charts. */
export const dashboardWindows = {
  "1h": { spanMs: hour, widthMs: minute, stepMs: minute },
  "6h": { spanMs: 6 * hour, widthMs: minute, stepMs: 5 * minute },
  // Hourly rows from 24 h up: a day of per-minute rows is 1,440 × targets × keys rows to sum.
  "24h": { spanMs: day, widthMs: hour, stepMs: hour },
  "7d": { spanMs: 7 * day, widthMs: hour, stepMs: hour },
  "30d": { spanMs: 30 * day, widthMs: hour, stepMs: day },
} as const;

/** A window name: `1h`, `6h`, `24h`, `7d` or `30d`. */
export type DashboardWindowName = keyof typeof dashboardWindows;

/** A window placed at a moment: what rollup rows it reads and how they are stepped. */
export interface PlacedWindow {
  name: DashboardWindowName;
  since: number;
  until: number;
  widthMs: number;
  stepMs: number;
}

/**
 * Places a window so that it ends with the bucket holding `now` (partial buckets included) and starts on a
 * step boundary: every chart point then covers whole rollup buckets.
 */
export function placeWindow(name: DashboardWindowName, now: number): PlacedWindow {
  const { spanMs, widthMs, stepMs } = dashboardWindows[name];
  const until = Math.floor(now / widthMs) * widthMs + widthMs;
  const since = Math.ceil((until - spanMs) / stepMs) * stepMs;
  return { name, since, until, widthMs, stepMs };
}

/** The rollup query of a placed window, summed per chart step (or once over the whole window). */
export function rollupQueryOf(window: PlacedWindow, options: { total?: boolean; by?: RollupQuery["by"]; keyId?: string } = {}): RollupQuery {
  return {
    widthMs: window.widthMs,
    since: window.since,
    until: window.until,
    stepMs: options.total === true ? window.until - window.since : window.stepMs,
    ...(options.by === undefined ? {} : { by: options.by }),
    ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
  };
}
