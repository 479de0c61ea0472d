import { resolve } from "node:path";
import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { createRoutingEngine } from "../core/create-routing-engine.js";
import { SwitchyardError } from "../core/errors.js";
import { createRandom, type Random } from "../core/random.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import type { Target } from "../core/target.js";
import { RolloutEngine, type ArtifactEngine, type RolloutState } from "./rollout-engine.js";
import { startShadowArm, type ShadowArm, type ShadowCounts, type StartShadowArmOptions } from "./shadow-arm.js";
import { loadVersionedArtifact } from "./versioned-artifact.js";

/** What a reload changes; an empty request reloads the configured `router.artifact`. */
export interface ReloadRequest {
  /** New primary artifact (relative paths: against `baseDir`). */
  artifact?: string;
  /** Restore the state before the last successful reload (primary, shadow and canary). */
  rollback?: boolean;
  /** Shadow artifact to start; null stops shadowing. */
  shadow?: string | null;
  /** Canary to start (artifact and share of routed traffic); null stops it. */
  canary?: { artifact: string; share: number } | null;
}

/** One artifact as the status reports it. */
export interface ArtifactStatus {
  path: string;
  version: string;
  router: string;
}

/** What serves now (the answer of a reload and of `GET /admin/rollout`). */
export interface RolloutStatus {
  artifact: ArtifactStatus;
  /** With what the shadow has decided, skipped (too far behind) and failed since it started. */
  shadow: (ArtifactStatus & ShadowCounts) | null;
  canary: (ArtifactStatus & { share: number }) | null;
  /** The primary a rollback would restore, when there is one. */
  previous: ArtifactStatus | null;
  /** Successful reloads and rollbacks since start. */
  reloads: number;
}

/** Loads artifacts into the running gateway's {@link RolloutEngine}. */
export interface RolloutController {
  readonly engine: RolloutEngine;
  /**
   * Loads what `request` names and swaps it in atomically; requests in flight finish on the engines
   * they started with. A failure (`reload_failed`, naming the artifact and the reason) changes nothing.
   * Reloads are serialised.
   */
  reload(request?: ReloadRequest): Promise<RolloutStatus>;
  status(): RolloutStatus;
  /** Stops the shadow workers (the gateway's shutdown calls it). */
  close(): Promise<void>;
}

/** Options of {@link createRolloutController}. */
export interface RolloutControllerOptions {
  /** Configured targets (the engines route over those their artifact knows). */
  targets: readonly Target[];
  /** `router.defaultQuality`. */
  defaultQuality?: number;
  /** `router.artifact`: loaded at start and by an empty reload (SIGHUP). */
  artifact: string;
  /** `router.shadow.artifact`, when configured. */
  shadow?: string;
  /** `router.shadow.batchMs` / `maxPending`: for every shadow started (see `startShadowArm`). */
  shadowSettings?: Pick<StartShadowArmOptions, "batchMs" | "maxPending">;
  /** `router.canary`, when configured. */
  canary?: { artifact: string; share: number; seed?: number };
  /** Relative paths in reload requests are resolved against this directory (the config file's). */
  baseDir?: string;
  /** Draws that pick the canary arm (default seeded by `canary.seed`, else 1). */
  random?: Random;
  /** Builds an engine (default `createRoutingEngine` over `targets`). */
  buildEngine?: (artifact: RouterArtifact, version: string) => Promise<RoutingEngine>;
}

/**
 * Builds the rollout engine from the configured artifacts and returns the controller that reloads it
 * (`POST /admin/reload`, `SIGHUP`, `switchyard reload`). The previous state is kept in memory, so a
 * rollback needs no file.
 *
 * @example
 * const rollout = await createRolloutController({ targets: config.targets, artifact: config.router.artifact! });
 * await rollout.reload({ artifact: "router-v2.json" });
 * await rollout.reload({ rollback: true });
 */
export async function createRolloutController(options: RolloutControllerOptions): Promise<RolloutController> {
  const buildEngine = options.buildEngine ?? ((artifact: RouterArtifact, version: string) => createRoutingEngine({ artifact, targets: options.targets, defaultQuality: options.defaultQuality, artifactVersion: version }));
  const baseDir = options.baseDir ?? process.cwd();
  let serving = false;
  const load = async (path: string, role: string): Promise<ArtifactEngine> => {
    // While serving, the file is read and parsed on a worker thread, and the event loop gets a turn
    // before the engine is built, so requests in flight are held up only by the build itself.
    const loaded = await loadVersionedArtifact(path, { offThread: serving });
    if (serving) await new Promise((done) => setImmediate(done));
    try {
      return { engine: await buildEngine(loaded.artifact, loaded.version), path, version: loaded.version };
    } catch (error) {
      if (error instanceof SwitchyardError) throw new SwitchyardError(error.code, `${role} artifact ${path}: ${error.message}`, { cause: error, param: error.param });
      throw error;
    }
  };
  const loadShadow = async (path: string): Promise<ShadowArm> => {
    try {
      return await startShadowArm({ path, targets: options.targets, defaultQuality: options.defaultQuality, ...options.shadowSettings });
    } catch (error) {
      if (error instanceof SwitchyardError) throw new SwitchyardError(error.code, `shadow artifact ${path}: ${error.message}`, { cause: error, param: error.param });
      throw error;
    }
  };
  const initial: RolloutState = {
    primary: await load(options.artifact, "router"),
    shadow: options.shadow === undefined ? undefined : await loadShadow(options.shadow),
    canary: options.canary === undefined ? undefined : { arm: await load(options.canary.artifact, "canary"), share: options.canary.share },
  };
  serving = true;
  const engine = new RolloutEngine(initial, { random: options.random ?? createRandom(options.canary?.seed ?? 1) });
  let previous: RolloutState | undefined;
  let reloads = 0;
  /** Stops the shadow of a state that is neither serving nor kept for a rollback. */
  const retire = (dropped: RolloutState | undefined) => {
    const shadow = dropped?.shadow;
    if (shadow !== undefined && shadow !== engine.state.shadow && shadow !== previous?.shadow) void shadow.close();
  };
  let queue: Promise<unknown> = Promise.resolve();

  const status = (): RolloutStatus => {
    const { primary, shadow, canary } = engine.state;
    return {
      artifact: statusOf(primary),
      shadow: shadow === undefined ? null : { path: shadow.path, version: shadow.version, router: shadow.router, ...shadow.counts() },
      canary: canary === undefined ? null : { ...statusOf(canary.arm), share: canary.share },
      previous: previous === undefined ? null : statusOf(previous.primary),
      reloads,
    };
  };

  const apply = async (request: ReloadRequest): Promise<RolloutStatus> => {
    if (request.rollback === true) {
      if (request.artifact !== undefined || request.shadow !== undefined || request.canary !== undefined) {
        throw new SwitchyardError("reload_failed", "a rollback takes no artifact, shadow or canary", { param: "rollback" });
      }
      if (previous === undefined) throw new SwitchyardError("reload_failed", "nothing to roll back to: no reload has succeeded since the gateway started", { param: "rollback" });
      previous = engine.swap(previous);
      reloads++;
      return status();
    }
    const current = engine.state;
    const reloadPrimary = request.artifact !== undefined || (request.shadow === undefined && request.canary === undefined);
    const at = (path: string) => resolve(baseDir, path);
    let newShadow: ShadowArm | undefined;
    try {
      const primary = reloadPrimary ? await load(request.artifact === undefined ? options.artifact : at(request.artifact), "router") : current.primary;
      if (typeof request.shadow === "string") newShadow = await loadShadow(at(request.shadow));
      const next: RolloutState = {
        primary,
        shadow: request.shadow === undefined ? current.shadow : (newShadow ?? undefined),
        canary:
          request.canary === undefined ? current.canary : request.canary === null ? undefined : { arm: await load(at(request.canary.artifact), "canary"), share: request.canary.share },
      };
      const dropped = previous;
      previous = engine.swap(next);
      retire(dropped);
      reloads++;
      return status();
    } catch (error) {
      void newShadow?.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new SwitchyardError("reload_failed", `reload failed, still serving ${current.primary.version} (${current.primary.path}): ${reason}`, { cause: error, param: "artifact" });
    }
  };

  return {
    engine,
    status,
    async close() {
      const shadows = new Set([engine.state.shadow, previous?.shadow]);
      for (const shadow of shadows) await shadow?.close();
    },
    reload(request = {}) {
      const result = queue.then(() => apply(request));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

function statusOf(arm: ArtifactEngine): ArtifactStatus {
  return { path: arm.path, version: arm.version, router: arm.engine.routerName };
}
