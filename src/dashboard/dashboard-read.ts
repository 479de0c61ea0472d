import type { ApiKeyRecord } from "../stores/api-key-record.js";
import type { UsageTotals } from "../stores/store.js";
import type { TraceFilter } from "../stores/trace-record.js";
import { keysOf, learningOf, modelsOf, overviewOf, type DashboardSources, type DashboardStore } from "./dashboard-data.js";
import type { DashboardWindowName } from "./dashboard-window.js";
import { decisionsOf } from "./decisions-data.js";

/** One aggregate read of the admin API: the endpoint and its parsed parameters (plain data: it crosses to the reader thread). */
export type DashboardRead =
  | { endpoint: "overview" | "models" | "learning"; window: DashboardWindowName }
  | { endpoint: "keys" }
  | { endpoint: "decisions"; filter: TraceFilter; pageSize: number };

/**
 * What only the serving thread knows at the time of a read, sent along with it: the clock, the live
 * circuit-breaker phases and rate-limit counters, and for the keys page the keys and their budget
 * ledger totals (the ledger holds settlements and in-flight reservations in memory before they reach
 * the file, so a reader of the file alone would miss them).
 */
export interface DashboardLiveState {
  now: number;
  targets: readonly string[];
  defaultModel: string | undefined;
  learnerActive: boolean;
  breakerPhases: Record<string, string>;
  rateLimitHits: Array<[string, number]>;
  keys?: { records: ApiKeyRecord[]; totals: Record<string, UsageTotals> };
}

/** The key of one ledger total in {@link DashboardLiveState.keys}. */
export const ledgerTotalKey = (keyId: string, periodStart: number) => `${keyId}\u0000${periodStart}`;

/** Answers one read from `sources` (the serving thread's path, and what the reader thread runs on its own connection). */
export async function runDashboardRead(sources: DashboardSources, read: DashboardRead): Promise<unknown> {
  switch (read.endpoint) {
    case "overview":
      return overviewOf(sources, read.window);
    case "models":
      return modelsOf(sources, read.window);
    case "learning":
      return learningOf(sources, read.window);
    case "keys":
      return keysOf(sources);
    case "decisions":
      return decisionsOf(sources.store, read);
  }
}

/**
 * The sources of a read answered away from the serving thread: `store` is the reader's own connection,
 * everything live comes from `live`; keys and ledger totals too when the serving thread sent them.
 */
export function sourcesOfLiveState(store: DashboardStore, live: DashboardLiveState): DashboardSources {
  const hits = new Map(live.rateLimitHits);
  const keys = live.keys;
  const view: DashboardStore =
    keys === undefined
      ? store
      : {
          kind: store.kind,
          traces: store.traces,
          learning: store.learning,
          ...(store.rollups === undefined ? {} : { rollups: store.rollups }),
          keys: { list: async () => keys.records },
          usage: {
            totals: async (keyId, periodStart) => keys.totals[ledgerTotalKey(keyId, periodStart)] ?? { spentUsd: 0, reservedUsd: 0, requests: 0, inputTokens: 0, outputTokens: 0 },
          },
        };
  return {
    store: view,
    targets: live.targets,
    defaultModel: live.defaultModel,
    breakerPhase: (target) => live.breakerPhases[target] ?? "closed",
    learnerActive: live.learnerActive,
    rateLimitHits: () => hits,
    now: () => live.now,
  };
}
