import { useEffect, useState } from "preact/hooks";
import { ApiError, getJson } from "./api";

/** How often pages poll (set from `/admin/api/config` at sign-in). */
export const live = { intervalMs: 5000 };

/** Requests started before their page rendered (the first page's data, fetched beside the config); each is used once. */
const prefetched = new Map<string, Promise<unknown>>();

/** Starts reading `path` now, for the page about to render. */
export function prefetch(path: string): void {
  const request = getJson(path);
  request.catch(() => undefined);
  prefetched.set(path, request);
}

/**
 * Reads `path` now and again every `live.intervalMs` while the tab is visible (a hidden tab asks nothing:
 * the gateway's load from an open dashboard is a few small rollup reads per interval). `path` null: nothing.
 */
export function useLive<T>(path: string | null, onUnauthorized: () => void): { data: T | null; error: Error | null; updatedAt: number | null } {
  const [state, setState] = useState<{ data: T | null; error: Error | null; updatedAt: number | null }>({ data: null, error: null, updatedAt: null });
  useEffect(() => {
    if (path === null) return;
    let stopped = false;
    setState({ data: null, error: null, updatedAt: null });
    const load = async () => {
      if (document.visibilityState === "hidden") return;
      try {
        const early = prefetched.get(path) as Promise<T> | undefined;
        prefetched.delete(path);
        const data = await (early ?? getJson<T>(path));
        if (!stopped) setState({ data, error: null, updatedAt: Date.now() });
      } catch (error) {
        if (stopped) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) onUnauthorized();
        else setState((previous) => ({ ...previous, error: error as Error }));
      }
    };
    void load();
    const timer = setInterval(() => void load(), live.intervalMs);
    const onVisible = () => {
      if (document.visibilityState === "visible") void load();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [path]);
  return state;
}
