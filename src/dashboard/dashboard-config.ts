import { z } from "zod";

/**
 * Schema of the `ui` section: the web dashboard at `/ui` and its JSON API under `/admin/api/` (docs/dashboard.md).
 * Off by default; both need the admin key (`admin.keyEnv`) to show any data.
 */
export const dashboardConfigSchema = z
  .object({
    /** Serve `/ui` and `/admin/api/…` (default false; `switchyard demo` turns it on). */
    enabled: z.boolean().default(false),
    /**
     * The model the traffic would go to without routing, for the overview's "savings vs the default
     * model" (a target id). Unset: only the comparison with the best single model is shown.
     */
    defaultModel: z.string().min(1).optional(),
    /** How often an open dashboard page asks for fresh numbers (default 5000 ms, at least 1000). */
    refreshIntervalMs: z.number().int().min(1000).max(3_600_000).default(5000),
    /**
     * Where the admin API's aggregate reads run with a SQLite store: `worker` (default) on a worker
     * thread with its own read-only connection, so an open dashboard costs the serving event loop almost
     * nothing; `serving-thread` on the gateway's event loop. Other stores always read on the event loop.
     */
    reads: z.enum(["worker", "serving-thread"]).default("worker"),
  })
  .strict();

/** The validated `ui` section. */
export type DashboardConfig = z.infer<typeof dashboardConfigSchema>;
