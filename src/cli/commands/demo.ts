import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createAdminKey, defaultAdminKeyEnv } from "../../limits/admin-key.js";
import type { Command } from "commander";
import { createRoutingEngine } from "../../core/create-routing-engine.js";
import { loadDataset } from "../../data/load-dataset.js";
import { normalizePromptText } from "../../data/prompt-text.js";
import { parseConfig } from "../../gateway/config.js";
import { assertPortFree } from "../../gateway/protocol-errors.js";
import { startGateway } from "../../gateway/serve.js";
import { demoSamplePath } from "../../testing/demo-sample.js";
import { startReplayUpstream } from "../../testing/replay-upstream.js";
import { trainRouterArtifact } from "../../training/train-router-artifact.js";
import { createProgress } from "../progress.js";
import { parseNumberOption } from "../usage-error.js";

export { demoSamplePath };

/** `switchyard demo`: the main job — train on the bundled sample, start the replay fleet and the gateway. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("train a kNN router on the bundled sample, start a replayed model fleet and the gateway on localhost, and show how to call it")
    .option("--port <n>", "gateway port (0 = any free port)", "8080")
    .option("--dataset <file>", "routing dataset with recorded responses", demoSamplePath)
    .option("--exit-after-check", "exit after the self-check request instead of serving until Ctrl-C")
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const port = parseNumberOption("--port", String(options.port), { min: 0, max: 65535, integer: true });
      // Before training: a busy port should not cost the user the training time first.
      await assertPortFree(port, "127.0.0.1");
      const progress = createProgress();
      progress.stage("loading the sample", 0, 4);
      const dataset = await loadDataset(String(options.dataset));
      const train = dataset.examples.filter((example) => example.split === "train");
      progress.stage(`training knn on ${train.length} prompts`, 1, 4);
      const artifact = await trainRouterArtifact({ examples: train, models: dataset.models, router: "knn", dataset: dataset.source, split: "train" });
      progress.stage("starting the replay fleet", 2, 4);
      const replay = await startReplayUpstream({ examples: dataset.examples, port: 0 });
      const prices = new Map(dataset.modelInfo.map((model) => [model.id, model]));
      const config = parseConfig(
        {
          server: { host: "127.0.0.1", port },
          router: { defaultQuality: 0.5 },
          // The demo keeps nothing, so it needs no database (better-sqlite3 is an optional install).
          store: { kind: "memory" },
          // The dashboard at /ui, behind an admin key made for this run unless one is set.
          ui: { enabled: true, defaultModel: dataset.models.includes("gpt-4-1106-preview") ? "gpt-4-1106-preview" : undefined },
          traces: { storeText: true },
          upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1` }],
          targets: dataset.models.map((id) => ({
            id,
            upstream: "replay",
            inputUsdPerMTok: prices.get(id)?.inputUsdPerMTok ?? 0,
            outputUsdPerMTok: prices.get(id)?.outputUsdPerMTok ?? 0,
          })),
        },
        "demo",
      );
      const engine = await createRoutingEngine({ artifact, targets: config.targets, defaultQuality: config.router.defaultQuality });
      progress.stage("starting the gateway", 3, 4);
      const dashboardKey = process.env[defaultAdminKeyEnv] || randomBytes(16).toString("hex");
      const gateway = await startGateway({ config, engine, adminKey: createAdminKey({ env: { [defaultAdminKeyEnv]: dashboardKey } }) });
      progress.stop();
      // The shortest test prompt, as readable text: the replay fleet recognises it in either form.
      const example = [...dataset.examples].filter((e) => e.split === "test").sort((a, b) => a.prompt.length - b.prompt.length)[0] ?? dataset.examples[0]!;
      const prompt = normalizePromptText(example.prompt);
      const check = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: prompt }] }),
      });
      const answer = (await check.json()) as { choices?: Array<{ message?: { content?: string } }> };
      const curlBody = JSON.stringify({ model: "auto", quality: 0.2, messages: [{ role: "user", content: prompt }] }).replaceAll("'", "'\\''");
      process.stdout.write(
        [
          `Switchyard demo: ${dataset.models.length} replayed models behind ${gateway.url}/v1 (router: knn, trained on ${train.length} RouterBench prompts)`,
          ``,
          `self-check: a test prompt was routed to ${check.headers.get("x-switchyard-model")} (predicted quality ${check.headers.get("x-switchyard-predicted-quality")}, predicted cost $${check.headers.get("x-switchyard-predicted-cost-usd")}), status ${check.status}`,
          `  answer: ${JSON.stringify((answer.choices?.[0]?.message?.content ?? "").slice(0, 100))}…`,
          ``,
          `Try it (the replay fleet answers prompts of the sample; for others it answers 404 unknown_prompt, which the gateway wraps as a 502 upstream_error naming that upstream):`,
          `  curl -s ${gateway.url}/v1/models`,
          `  curl -si ${gateway.url}/v1/chat/completions -H 'content-type: application/json' \\`,
          `    -d '${curlBody}'`,
          ``,
          `With the official openai SDK (Node):`,
          `  const client = new OpenAI({ baseURL: "${gateway.url}/v1", apiKey: "unused" });`,
          `  const { data, response } = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: ${JSON.stringify(prompt)} }] }).withResponse();`,
          `  console.log(data.model, response.headers.get("x-switchyard-router"));`,
          ``,
          `Dashboard: ${gateway.url}/ui (admin key: ${process.env[defaultAdminKeyEnv] ? `the value of ${defaultAdminKeyEnv}` : dashboardKey})`,
          ``,
          options.exitAfterCheck ? "exiting (--exit-after-check)" : "Ctrl-C stops the demo.",
          ``,
        ].join("\n"),
      );
      const stop = async (): Promise<void> => {
        await gateway.close();
        await replay.close();
      };
      if (options.exitAfterCheck) {
        await stop();
        if (check.status !== 200) process.exitCode = 1;
        return;
      }
      await new Promise<void>((done) => {
        const finish = (): void => void stop().then(done);
        process.once("SIGINT", finish);
        process.once("SIGTERM", finish);
      });
    });
}

/** Where the demo's sample lives relative to the repository (for docs and tests). */
export const demoSampleRelativePath = join("examples", "demo", "routerbench-sample.jsonl");
