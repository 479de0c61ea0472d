import type { Command } from "commander";
import { loadRouterArtifact, saveRouterArtifact } from "../../artifacts/router-artifact.js";
import { SwitchyardError } from "../../core/errors.js";
import { loadConfig, type GatewayConfig } from "../../gateway/config.js";
import { openConfiguredStore } from "../../gateway/start-gateway-from-config.js";
import { exportLearnedArtifact, importLearnedArtifact } from "../../learning/learned-artifact.js";

/** I/O of the learning commands; tests replace it. */
export interface LearningCommandDeps {
  print?: (line: string) => void;
}

async function servedOf(configPath: string): Promise<{ config: GatewayConfig; artifactPath: string }> {
  const config = await loadConfig(configPath);
  if (config.router.artifact === undefined) throw new SwitchyardError("invalid_config", `${configPath}: router.artifact: required (the artifact the learned state belongs to)`, { param: "router.artifact" });
  if (config.store.kind === "memory") throw new SwitchyardError("invalid_config", `${configPath}: store.kind is memory: the learned state exists only inside the running gateway`, { param: "store.kind" });
  return { config, artifactPath: config.router.artifact };
}

/**
 * `switchyard learning export|import`: the online router's learned state (the store's snapshot plus its
 * update log) as a router artifact, and back. Run `import` while the gateway is stopped.
 *
 * @example
 * switchyard learning export --config switchyard.yaml --out learned.json
 * switchyard learning import --config switchyard.yaml --in learned.json
 */
export function registerLearning(program: Command, deps: LearningCommandDeps = {}): void {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const learning = program.command("learning").description("export or import the online (bandit) router's learned state");
  learning
    .command("export")
    .description("write the learned state (store snapshot + update log) as a router artifact")
    .requiredOption("--config <file>", "gateway configuration (its router.artifact and store)")
    .requiredOption("--out <file>", "artifact to write")
    .action(async (options: { config: string; out: string }) => {
      const { config, artifactPath } = await servedOf(options.config);
      const artifact = await loadRouterArtifact(artifactPath);
      const store = await openConfiguredStore(config);
      try {
        const learned = await exportLearnedArtifact({ artifact, repository: store.learning, targets: config.targets.map((target) => target.id) });
        await saveRouterArtifact(options.out, learned);
        print(`wrote ${options.out}: ${learned.router.kind} with ${String(learned.training.onlineUpdates)} online updates (from the ${String(learned.training.learnedFrom)})`);
      } finally {
        await store.close();
      }
    });
  learning
    .command("import")
    .description("replace the store's learned state with an artifact's (stop the gateway first)")
    .requiredOption("--config <file>", "gateway configuration (its router.artifact and store)")
    .requiredOption("--in <file>", "artifact whose learned state to import")
    .action(async (options: { config: string; in: string }) => {
      const { config, artifactPath } = await servedOf(options.config);
      const [served, imported] = await Promise.all([loadRouterArtifact(artifactPath), loadRouterArtifact(options.in)]);
      const store = await openConfiguredStore(config);
      try {
        const { updates } = await importLearnedArtifact({ imported, served, repository: store.learning });
        print(`imported ${imported.router.kind} state from ${options.in} (${updates} online updates); it takes effect when the gateway starts`);
      } finally {
        await store.close();
      }
    });
}
