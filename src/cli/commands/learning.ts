import type { Command } from "commander";
import { loadRouterArtifact, saveRouterArtifact } from "../../artifacts/router-artifact.js";
import { SwitchyardError } from "../../core/errors.js";
import { loadConfig, type GatewayConfig } from "../../gateway/config.js";
import { openConfiguredStore } from "../../gateway/start-gateway-from-config.js";
import { readFile } from "node:fs/promises";
import { addAnchoredModel, type AnchorScore } from "../../learning/add-anchored-model.js";
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
 * switchyard learning add-model --config switchyard.yaml --model new-llm --anchors new-llm-anchors.jsonl
 */
export function registerLearning(program: Command, deps: LearningCommandDeps = {}): void {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const learning = program.command("learning").description("export, import or extend the online (bandit) router's learned state");
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
  learning
    .command("add-model")
    .description("add a configured target to the learned state from its scores on anchor prompts, instead of the optimistic prior (stop the gateway first)")
    .requiredOption("--config <file>", "gateway configuration (its router.artifact, targets and store)")
    .requiredOption("--model <id>", "the new target's id (already in targets)")
    .requiredOption("--anchors <file>", 'JSONL, one {"prompt": "...", "score": 0.8} per line: the new model\'s graded answers on a sample of recent prompts')
    .option("--replace", "the state already routes the model: forget what it learned of it and add it from the anchors")
    .action(async (options: { config: string; model: string; anchors: string; replace?: boolean }) => {
      const { config, artifactPath } = await servedOf(options.config);
      const anchors = await readAnchors(options.anchors);
      const artifact = await loadRouterArtifact(artifactPath);
      const store = await openConfiguredStore(config);
      try {
        const added = await addAnchoredModel({ artifact, repository: store.learning, targets: config.targets.map((target) => target.id), model: options.model, anchors, replace: options.replace });
        print(`added ${options.model} from ${added.anchors} anchors${added.replaced ? " (replacing what was learned of it)" : ""} to the learned ${artifact.router.kind} state (${added.updates} online updates kept); it takes effect when the gateway starts`);
      } finally {
        await store.close();
      }
    });
}

async function readAnchors(path: string): Promise<AnchorScore[]> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new SwitchyardError("invalid_config", `--anchors: cannot read ${path} (${error.code ?? "error"})`, { param: "--anchors" });
  });
  return text
    .split("\n")
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new SwitchyardError("invalid_config", `--anchors: line ${number} is not JSON`, { param: "--anchors" });
      }
      if (parsed === null || typeof parsed !== "object") throw new SwitchyardError("invalid_config", `--anchors: line ${number} must be an object {"prompt", "score"}`, { param: "--anchors" });
      const { prompt, score } = parsed as { prompt?: unknown; score?: unknown };
      return { prompt, score } as AnchorScore;
    });
}
