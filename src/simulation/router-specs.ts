import { SwitchyardError } from "../core/errors.js";
import type { BanditKind } from "../routers/bandit/index.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import { BANDIT_KINDS } from "../training/warm-start-artifact.js";

/** One router of a simulation run: a bandit with its start, or a static router trained on the history. */
export type SimulatedRouterSpec =
  | { name: string; type: "bandit"; kind: BanditKind; start: "warm" | "cold" }
  | { name: string; type: "static"; router: string; paced?: boolean };

/**
 * Expands `--router` names: a bandit name alone (`linucb`) gives both starts (`linucb+warm`,
 * `linucb+cold`), `linucb+warm` / `linucb+cold` one of them; any other servable strategy is a static
 * router trained on the history, named `offline-<name>`; `knn+paced` is that static router held to the run's
 * pacing like the bandits (`paceToKnob`, `paceToReference`) — what the pacing itself does to a router that
 * learns nothing (the equal-money measuring device's own cost), named `offline-knn+paced`. The offline reference (`--offline-router`)
 * always comes first. Unknown names are an `invalid_config` error naming `--router`.
 */
export function parseRouterSpecs(routers: readonly string[], offlineRouter: string): SimulatedRouterSpec[] {
  const staticSpec = (router: string, flag: string, paced = false): SimulatedRouterSpec => {
    let servable = false;
    try {
      servable = routerTrainerFor(router).servable;
    } catch {
      throw new SwitchyardError("invalid_config", `${flag}: unknown router ${JSON.stringify(router)} (bandits: ${BANDIT_KINDS.join(", ")}, optionally +warm or +cold; static: knn, auto, best-single, …)`, { param: flag });
    }
    if (!servable || (BANDIT_KINDS as readonly string[]).includes(router)) throw new SwitchyardError("invalid_config", `${flag}: ${JSON.stringify(router)} cannot be a static reference`, { param: flag });
    return paced ? { name: `offline-${router}+paced`, type: "static", router, paced } : { name: `offline-${router}`, type: "static", router };
  };
  const specs: SimulatedRouterSpec[] = [staticSpec(offlineRouter, "--offline-router")];
  for (const raw of routers) {
    const [kind, start, extra] = raw.split("+");
    let expanded: SimulatedRouterSpec[];
    if ((BANDIT_KINDS as readonly string[]).includes(kind!)) {
      if (extra !== undefined || (start !== undefined && start !== "warm" && start !== "cold")) {
        throw new SwitchyardError("invalid_config", `--router: ${JSON.stringify(raw)} — a bandit's start is +warm or +cold`, { param: "--router" });
      }
      const starts = start === undefined ? (["warm", "cold"] as const) : [start as "warm" | "cold"];
      expanded = starts.map((s) => ({ name: `${kind}+${s}`, type: "bandit", kind: kind as BanditKind, start: s }));
    } else {
      if (extra !== undefined || (start !== undefined && start !== "paced")) {
        throw new SwitchyardError("invalid_config", `--router: ${JSON.stringify(raw)} — only bandits (${BANDIT_KINDS.join(", ")}) take +warm or +cold; a static router takes +paced`, { param: "--router" });
      }
      expanded = [staticSpec(kind!.startsWith("offline-") ? kind!.slice("offline-".length) : kind!, "--router", start === "paced")];
    }
    for (const spec of expanded) if (!specs.some((known) => known.name === spec.name)) specs.push(spec);
  }
  return specs;
}
