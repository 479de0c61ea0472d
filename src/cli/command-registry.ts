import type { Command } from "commander";

/** One CLI command as the top-level help lists it; its module is imported only when the command runs. */
export interface CommandEntry {
  name: string;
  /** One line for `switchyard --help`; the command's own module carries its full help. */
  description: string;
  /** Imports the command's module and returns the function that adds the command to the program. */
  load: () => Promise<(program: Command) => void>;
}

/**
 * Every CLI command, in help order. One line per command, so commands added on different branches merge
 * without conflicts: the CLI's start-up cost must not grow with the number of commands (`--help` reads
 * this list, a command imports only its own module and what that module needs).
 */
export const commandRegistry: readonly CommandEntry[] = [
  { name: "init", description: "write a commented switchyard.yaml for your providers (OpenAI, Anthropic, Azure, any OpenAI-compatible URL)", load: async () => (await import("./commands/init.js")).registerInit },
  { name: "train", description: "train a router on a dataset split and write the artifact that serve, route and eval load", load: async () => (await import("./commands/train.js")).registerTrain },
  { name: "eval", description: "train routers on the train split, evaluate them on the test split (AIQ, gap recovered, cost to match the best model)", load: async () => (await import("./commands/eval.js")).registerEval },
  { name: "route", description: "route one prompt or a JSONL batch with a trained artifact and print the decisions", load: async () => (await import("./commands/route.js")).registerRoute },
  { name: "serve", description: "serve the OpenAI-compatible gateway (POST /v1/chat/completions with model \"auto\" routes)", load: async () => (await import("./commands/serve.js")).registerServe },
  { name: "demo", description: "train a kNN router on the bundled sample, start a replayed model fleet and the gateway on localhost", load: async () => (await import("./commands/demo.js")).registerDemo },
  { name: "replay", description: "serve recorded answers of a routing dataset as an OpenAI-compatible upstream (for tests and demos)", load: async () => (await import("./commands/replay.js")).registerReplay },
  { name: "fit-policy", description: "fit per-route thresholds of a route policy from labelled utterances", load: async () => (await import("./commands/fit-policy.js")).registerFitPolicy },
  { name: "keys", description: "create, list and revoke the gateway's API keys", load: async () => (await import("./commands/keys.js")).registerKeys },
  { name: "traces", description: "list, filter, export and prune request traces", load: async () => (await import("./commands/traces.js")).registerTraces },
  { name: "simulate", description: "replay a dataset as a stream with bandit feedback: bandits (cold and warm-started) against static routers trained on a labelled history", load: async () => (await import("./commands/simulate.js")).registerSimulate },
  { name: "learning", description: "export or import the online (bandit) router's learned state", load: async () => (await import("./commands/learning.js")).registerLearning },
  { name: "ope", description: "estimate a candidate router's mean reward and cost on a decision log (IPS, SNIPS, doubly robust), without serving it", load: async () => (await import("./commands/ope.js")).registerOpe },
  { name: "label", description: "send sampled prompts to each target, score the answers and write a routing dataset for `switchyard train`", load: async () => (await import("./commands/label.js")).registerLabel },
  { name: "reload", description: "reload a running gateway's router artifact without a restart (or roll back, or start/stop a shadow or canary)", load: async () => (await import("./commands/reload.js")).registerReload },
  { name: "migrate", description: "apply the store's schema migrations (PostgreSQL or SQLite) and print the schema version", load: async () => (await import("./commands/migrate.js")).registerMigrate },
];
