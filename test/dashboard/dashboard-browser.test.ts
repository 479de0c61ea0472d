import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import type { Browser, Page } from "playwright-core";
import { startGateway, type RunningServer } from "../../src/gateway/serve.js";
import { createAdminKey } from "../../src/limits/admin-key.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { replayExamples, replayPrompts } from "../fixtures/replay-examples.js";
import { stubEngine } from "../gateway/gateway-test-kit.js";
import { dashboardConfig, routedTrace, testAdminKey } from "./dashboard-fixtures.js";
import { parseConfig } from "../../src/gateway/config.js";

const chromiumPath = "/usr/bin/chromium";
const root = fileURLToPath(new URL("../../", import.meta.url));
// Screenshots are test artefacts: written under the ignored tmp/ folder, never committed.
const screenshots = join(root, "tmp", "dashboard-screenshots");
const scriptPayload = "<script>window.__pwned = 1</script>";
const imagePayload = '"><img src=x onerror="window.__pwned = 2">';

describe("dashboard in a real browser (Chromium)", { skip: existsSync(chromiumPath) ? false : `${chromiumPath} is absent (apt-get install -y chromium)`, timeout: 120_000 }, () => {
  let replay: RunningServer;
  let gateway: RunningServer;
  let browser: Browser;
  const store = createMemoryStore();
  const hostileId = "req_hostile";
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${testAdminKey}` } })).json()) as T;

  before(async () => {
    if (!existsSync(join(root, "dist", "ui", "index.html"))) {
      const built = spawnSync(process.execPath, ["--import", "tsx", join(root, "scripts", "build-ui.ts")], { cwd: root, encoding: "utf8" });
      assert.equal(built.status, 0, built.stderr);
    }
    mkdirSync(screenshots, { recursive: true });
    replay = await startReplayUpstream({ examples: replayExamples, fallback: { text: `${imagePayload} ${scriptPayload}` } });
    const base = dashboardConfig();
    const config = parseConfig(
      {
        upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1` }],
        targets: base.targets.map(({ id, inputUsdPerMTok, outputUsdPerMTok }) => ({ id, inputUsdPerMTok, outputUsdPerMTok, ...(id === "mistral-7b" ? { upstreamModel: "mistralai/mistral-7b-chat" } : {}) })),
        traces: { storeText: true, flushIntervalMs: 20 },
        ui: { enabled: true, defaultModel: "mistral-7b", refreshIntervalMs: 1000 },
      },
      "browser-test.yaml",
    );
    gateway = await startGateway({ config, engine: stubEngine(config), port: 0, store, adminKey: createAdminKey({ env: { SWITCHYARD_ADMIN_KEY: testAdminKey } }) });
    // A scripted traffic run through the official client: routed at two knob settings, fixed models, a hostile prompt.
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const prompts = [replayPrompts.arc, replayPrompts.mbpp, replayPrompts.winogrande];
    for (let index = 0; index < 12; index++) {
      await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: prompts[index % 3]! }], ...({ quality: index % 2 === 0 ? 0.9 : 0.1 } as object) });
    }
    await client.chat.completions.create({ model: "mistral-7b", messages: [{ role: "user", content: replayPrompts.mbpp }] });
    await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: `${scriptPayload} ${imagePayload}` }], ...({ quality: 0.9 } as object) });
    await assert.rejects(client.chat.completions.create({ model: imagePayload, messages: [{ role: "user", content: "hi" }] }));
    // Hostile model names can only come from a store another version or tool wrote: put one there.
    const hostile = routedTrace({ id: hostileId, createdAt: Date.now(), served: imagePayload, strong: [0.9, 0.01], cheap: [0.5, 0.001], costUsd: 0.001, latencyMs: 12, prompt: `${scriptPayload}${imagePayload}`, requestedModel: scriptPayload, errorCode: null });
    hostile.decision!.candidates[1]!.model = scriptPayload;
    hostile.decision!.router = imagePayload;
    await store.traces.insertMany([hostile]);
    await store.keys.insert({ id: "key_team", name: `team ${imagePayload}`, hash: "0".repeat(64), prefix: "sy-test", createdAt: Date.now(), revokedAt: null, budgetUsd: 5, budgetPeriod: "month", rpm: 100, tpm: null, models: null });
    for (let waited = 0; (await store.traces.list({ limit: 1000 })).length < 15 && waited < 5000; waited += 20) await new Promise((done) => setTimeout(done, 20));
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  });
  after(async () => {
    await browser?.close();
    await gateway?.close();
    await replay?.close();
  });

  /** A page that records every console error, page error, failed request and request to another origin. */
  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    const origin = new URL(gateway.url).origin;
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
    page.on("request", (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) problems.push(`external request: ${request.url()}`);
    });
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(`${gateway.url}/ui`);
    await page.getByLabel("Admin key").fill(testAdminKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("body[data-ready=overview]").waitFor({ timeout: 10_000 });
    return { page, problems };
  }

  /** Browser-side code as strings: this file is type-checked for Node, not the DOM. */
  const go = (page: Page, hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  /** Polls an expression through the DevTools protocol (waitForFunction would eval in the page, which its CSP forbids). */
  const until = async (page: Page, expression: string) => {
    for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((done) => setTimeout(done, 50))) {
      if (await page.evaluate(expression)) return;
    }
    assert.fail(`timed out waiting for ${expression}`);
  };

  async function axeViolations(page: Page): Promise<string[]> {
    const source = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    // Evaluated through the DevTools protocol: the page's CSP (no inline script) does not apply to it.
    await page.evaluate(source);
    const result = (await page.evaluate("axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] })")) as { violations: Array<{ id: string; nodes: Array<{ target: string[] }> }>; passes: Array<{ id: string }> };
    assert.ok(result.passes.some((rule) => rule.id === "button-name") && result.passes.some((rule) => rule.id === "landmark-one-main"), "axe ran its checks");
    return result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  }

  test("every page loads with no console error, no failed or external request, passes axe, and is screenshotted", async () => {
    const { page, problems } = await openPage();
    const visited: string[] = [];
    for (const [hash, ready] of [
      ["#/overview", "[data-chart=savings] canvas"],
      ["#/decisions", "table.decisions tbody tr"],
      [`#/decisions/${hostileId}`, "[data-candidate]"],
      ["#/models", "table.models tbody tr"],
      ["#/keys", "table.keys tbody tr"],
      ["#/learning", "[data-chart=share] canvas"],
    ] as const) {
      await go(page, hash);
      await page.locator(ready).first().waitFor({ timeout: 10_000 });
      const name = hash.replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "") || "overview";
      await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
      assert.deepEqual(await axeViolations(page), [], `axe on ${hash}`);
      visited.push(name);
    }
    assert.deepEqual(problems, []);
    assert.equal(visited.length, 6);
    await page.close();
  });

  test("the overview's numbers equal the API's for the scripted traffic", async () => {
    const { page, problems } = await openPage();
    const overview = await api<{ totals: Record<string, number | null>; savings: Record<string, unknown> & { bestSingle: Record<string, number> | null }; quality: Record<string, { mean: number | null }> }>("/admin/api/overview?window=24h");
    assert.equal(overview.totals.requests, 16, "12 routed + 1 fixed + 1 hostile prompt + 1 unknown model… as traced");
    const shown = async (metric: string) => page.locator(`[data-metric="${metric}"]`).first().getAttribute("data-value");
    for (const name of ["requests", "errors", "errorRate", "latencyP50Ms", "latencyP99Ms", "spendUsd", "spendLast24hUsd"]) {
      assert.equal(await shown(name), String(overview.totals[name] ?? ""), name);
    }
    assert.equal(await shown("savings.routed"), String(overview.savings.routed));
    assert.equal(await shown("savings.routingPredictedCostUsd"), String(overview.savings.routingPredictedCostUsd));
    assert.equal(await shown("bestSingle.savingsUsd"), String(overview.savings.bestSingle?.savingsUsd ?? ""));
    assert.equal(await shown("quality.predicted"), String(overview.quality.predicted?.mean ?? ""));
    // The text a person reads is the same number, formatted.
    assert.equal(await page.locator('[data-metric="requests"]').first().textContent(), String(overview.totals.requests));
    const models = await api<{ models: Array<{ target: string; requests: number; spendUsd: number }> }>("/admin/api/models?window=24h");
    await go(page, "#/models");
    for (const model of models.models) {
      assert.equal(await page.locator(`tr[data-model="${model.target.replaceAll('"', '\\"')}"] [data-metric=requests]`).getAttribute("data-value"), String(model.requests), model.target);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("keyboard navigation, search and pagination of decisions, and one decision's candidates", async () => {
    const { page, problems } = await openPage();
    // Tab to the "Decisions" link and follow it with Enter.
    for (let presses = 0; presses < 15; presses++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate("document.activeElement?.textContent")) === "Decisions") break;
    }
    await page.keyboard.press("Enter");
    await until(page, "location.hash === '#/decisions'");
    await page.locator("table.decisions tbody tr").first().waitFor();
    const search = await api<{ data: Array<{ id: string }> }>("/admin/api/decisions?limit=25&search=carbon");
    await page.getByLabel("Search", { exact: true }).fill("carbon");
    await page.getByLabel("Search", { exact: true }).press("Enter");
    await until(page, `document.querySelectorAll("table.decisions tbody tr").length === ${search.data.length}`);
    assert.deepEqual(await page.locator("table.decisions tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-trace"))), search.data.map((row) => row.id));
    assert.ok(search.data.length >= 4);
    // Pages of 25: the second page holds what the API's cursor gives.
    await page.getByLabel("Search", { exact: true }).fill("");
    await page.getByRole("button", { name: "Search" }).click();
    await until(page, 'document.querySelectorAll("table.decisions tbody tr").length === 16');
    assert.equal(await page.getByRole("button", { name: "Next page" }).isDisabled(), true, "16 traces fit on one page of 25");
    // Follow the first trace's link by keyboard.
    const first = page.locator("table.decisions tbody tr a").first();
    const id = await first.textContent();
    await first.focus();
    await page.keyboard.press("Enter");
    await page.locator("[data-candidate]").first().waitFor();
    const detail = await api<{ decision: { candidates: Array<{ model: string }> } | null; latencyMs: number }>(`/admin/api/decisions/${id}`);
    assert.deepEqual(await page.locator("[data-candidate]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-candidate"))), detail.decision?.candidates.map((candidate) => candidate.model));
    assert.equal(await page.locator('[data-metric="latencyMs"]').getAttribute("data-value"), String(detail.latencyMs));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("script payloads in prompts, answers, model names and key names are shown as text and never run", async () => {
    const { page, problems } = await openPage();
    await go(page, `#/decisions/${hostileId}`);
    await page.locator("[data-candidate]").first().waitFor();
    assert.equal(await page.locator('[data-field="prompt"]').textContent(), `${scriptPayload}${imagePayload}`);
    assert.equal(await page.locator('[data-field="servedModel"]').textContent(), imagePayload);
    assert.equal(await page.locator('[data-field="requestedModel"]').textContent(), scriptPayload);
    assert.equal(await page.locator(`[data-candidate]`).nth(1).getAttribute("data-candidate"), scriptPayload);
    for (const hash of ["#/decisions", "#/models", "#/keys", "#/overview"]) {
      await go(page, hash);
      await page.locator("main table, main figure").first().waitFor();
    }
    await go(page, "#/decisions");
    await page.locator("table.decisions tbody tr").first().waitFor();
    assert.ok((await page.locator("main").textContent())?.includes(imagePayload), "the payload is visible as text");
    assert.equal(await page.evaluate("typeof window.__pwned"), "undefined", "no payload ran");
    assert.equal(await page.locator("main img, main script").count(), 0, "no element was made from a payload");
    assert.deepEqual(problems, []);
    await page.close();
  });
});
