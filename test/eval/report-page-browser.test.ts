import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { evaluateWithSweeps } from "../../src/eval/evaluate.js";
import type { EvaluationReport } from "../../src/eval/evaluation-report.js";
import { reportDecisions, type ReportDecisions } from "../../src/eval/report-decisions.js";
import { writeReport } from "../../src/eval/write-report.js";
import { attributePayload, hostileModel, hostileTask, reportPageInput, scriptPayload } from "./report-page-fixture.js";

// The report page in a real browser (Debian's Chromium driven by playwright-core), opened from file://.
const chromiumPath = "/usr/bin/chromium";
const skip = existsSync(chromiumPath) ? false : `${chromiumPath} is absent (apt-get install -y chromium)`;
const artifactDir = join(fileURLToPath(new URL("../../tmp/test-artifacts", import.meta.url)));
const dir = await mkdtemp(join(tmpdir(), "switchyard-report-page-"));
let browser: Browser | undefined;
let report: EvaluationReport;
let decisions: ReportDecisions;
let url: string;

before(async () => {
  if (skip) return;
  const input = reportPageInput();
  const evaluated = evaluateWithSweeps(input);
  report = evaluated.report;
  decisions = reportDecisions(input, evaluated.sweeps, evaluated.context, new Map(), { router: "knn <script>x</script>" });
  const { htmlPath, jsonPath } = await writeReport(report, dir, { decisions });
  report = JSON.parse(await readFile(jsonPath, "utf8")) as EvaluationReport;
  url = pathToFileURL(htmlPath).href;
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the page and waits until its script says every chart is drawn; collects console errors and requests. */
async function open(): Promise<{ page: Page; errors: string[]; requests: string[]; failed: string[] }> {
  assert.ok(browser);
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const failed: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => requests.push(request.url()));
  page.on("requestfailed", (request) => failed.push(request.url()));
  await page.goto(url);
  await page.waitForSelector("html[data-ready=true]", { timeout: 15_000 });
  return { page, errors, requests, failed };
}

test("opens from file:// with no console error, no other request, both charts drawn, and a screenshot", { skip, timeout: 60_000 }, async () => {
  const { page, errors, requests, failed } = await open();
  assert.deepEqual(errors, []);
  assert.deepEqual(failed, []);
  assert.deepEqual(requests, [url], "the page loads nothing but itself");
  for (const id of ["cost-quality-chart", "calibration-chart"]) {
    const inked = (await page.evaluate(`(() => {
      const canvas = document.querySelector("#${id} canvas");
      if (!canvas) return 0;
      const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) count++;
      return count;
    })()`)) as number;
    assert.ok(inked > 2000, `${id}: the canvas has something drawn on it (${inked} pixels)`);
  }
  assert.equal(await page.locator("#cost-quality-chart input[type=checkbox]").count(), report.routers.length + 3);
  await mkdir(artifactDir, { recursive: true });
  await page.screenshot({ path: join(artifactDir, "report-page.png"), fullPage: true });
  await page.close();
});

test("prompts, model and task names with markup are shown as text and never run", { skip, timeout: 60_000 }, async () => {
  const { page, errors } = await open();
  await page.fill("#decisions-search", "window.__pwned");
  const shown = await page.locator("#decisions-table tbody td.prompt summary").allTextContents();
  assert.deepEqual(shown.map((text) => text.slice(0, 20)).sort(), [attributePayload.slice(0, 20), scriptPayload.slice(0, 20)].sort());
  assert.equal(await page.evaluate("typeof window.__pwned"), "undefined", "no payload ran");
  assert.equal(await page.locator("img").count(), 0, "no element was created from a payload");
  assert.ok((await page.locator("#decisions-model option").allTextContents()).includes(hostileModel));
  assert.ok((await page.locator("#task-filter option").allTextContents()).some((text) => text.startsWith(hostileTask)));
  assert.match((await page.locator("h1").textContent()) ?? "", /page <fixture>/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the tables' numbers equal report.json's, and sorting by a column orders the rows", { skip, timeout: 60_000 }, async () => {
  const { page } = await open();
  for (const router of report.routers) {
    const row = page.locator("table.metrics tbody tr").filter({ has: page.locator(`th[data-router="${router.name.replace(/"/g, '\\"')}"]`) });
    const aiqCell = row.locator('td[data-metric="aiq"]');
    assert.equal(await aiqCell.getAttribute("data-value"), String(router.aiq), `${router.name}: AIQ`);
    assert.equal((await aiqCell.textContent())?.trim(), router.aiq.toFixed(4));
    assert.equal(await row.locator('td[data-metric="gap-recovered"]').getAttribute("data-value"), router.gapRecovered === null ? "" : String(router.gapRecovered));
  }
  const tasks = report.tasks ?? [];
  assert.equal(tasks.length, 3);
  const taskRows = page.locator("table.task-routers tbody tr");
  assert.equal(await taskRows.count(), tasks.reduce((sum, task) => sum + task.routers.length + 2, 0));
  for (const task of tasks) {
    for (const router of task.routers) {
      const row = taskRows.filter({ has: page.locator(`th`, { hasText: router.name }) }).filter({ has: page.locator("td", { hasText: task.task }) });
      assert.equal(await row.locator('td[data-metric="aiq"]').getAttribute("data-value"), String(router.aiq), `${task.task} / ${router.name}`);
    }
  }
  const aiqHeader = page.locator("table.task-routers thead th").nth(3);
  await aiqHeader.locator("button").click();
  assert.equal(await aiqHeader.getAttribute("aria-sort"), "ascending");
  const ascending = (await page.locator("table.task-routers tbody tr td:nth-child(4)").evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute("data-value")))));
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  await aiqHeader.locator("button").click();
  assert.equal(await aiqHeader.getAttribute("aria-sort"), "descending");
  await page.selectOption("#task-filter", "beta");
  assert.equal(await page.locator("table.task-routers tbody tr:visible").count(), (tasks.find((task) => task.task === "beta")?.routers.length ?? 0) + 2);
  await page.close();
});

test("the decisions browser filters by search, task, model and outcome, and pages 25 at a time", { skip, timeout: 60_000 }, async () => {
  const { page } = await open();
  const point = decisions.points.findIndex((entry) => entry.label === "knob=0.5");
  assert.equal(await page.inputValue("#decisions-point"), String(point));
  const rows = page.locator("#decisions-table > tbody > tr");
  assert.equal(await rows.count(), 25);
  assert.equal(await page.textContent("#decisions-page"), "Page 1 of 3");
  await page.click("#decisions-next");
  await page.click("#decisions-next");
  assert.equal(await rows.count(), decisions.prompts.length - 50);
  assert.equal(await page.locator("#decisions-next").isDisabled(), true);
  await page.fill("#decisions-search", "PROMPT-042");
  assert.deepEqual(await page.locator("#decisions-table > tbody > tr > th").allTextContents(), ["prompt-042"]);
  const choices = decisions.choices[point] ?? [];
  assert.equal(await rows.first().locator(":scope > td").nth(2).textContent(), decisions.models[choices[42] ?? 0]);
  await page.fill("#decisions-search", "");
  await page.selectOption("#decisions-task", "alpha");
  const alpha = decisions.prompts.filter((prompt) => prompt.task === "alpha").length;
  assert.match((await page.textContent("#decisions-summary")) ?? "", new RegExp(`^${alpha} of ${decisions.prompts.length} prompts`));
  await page.selectOption("#decisions-task", "");
  await page.selectOption("#decisions-outcome", "below-oracle");
  const below = decisions.prompts.filter((_, i) => (decisions.trueScore[i]?.[choices[i] ?? 0] ?? 0) < (decisions.trueScore[i]?.[decisions.oracle[i] ?? 0] ?? 0)).length;
  assert.ok(below > 0 && below < decisions.prompts.length, "the fixture has both kinds");
  assert.match((await page.textContent("#decisions-summary")) ?? "", new RegExp(`^${below} of `));
  await page.selectOption("#decisions-outcome", "");
  await page.selectOption("#decisions-model", "0");
  const small = choices.filter((choice) => choice === 0).length;
  assert.match((await page.textContent("#decisions-summary")) ?? (small === 0 ? "No prompt" : ""), small === 0 ? /^No prompt/ : new RegExp(`^${small} of `));
  await page.close();
});

test("accessibility: axe finds no violation, every control is labelled, and the keyboard reaches and works them", { skip, timeout: 60_000 }, async () => {
  const { page } = await open();
  const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: axeSource });
  await page.fill("#decisions-search", "prompt-00");
  await page.locator("#decisions-table tbody summary").first().click();
  const violations = (await page.evaluate(`axe
    .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
    .then((result) => result.violations.map((violation) => violation.id + ": " + violation.nodes.map((node) => node.target.join(" ")).slice(0, 3).join(", ")))`)) as string[];
  assert.deepEqual(violations, []);
  const unlabelled = (await page.evaluate(`[...document.querySelectorAll("input, select, button")]
    .filter((control) => !(control.labels && control.labels.length > 0) && !control.getAttribute("aria-label") && !(control.textContent || "").trim())
    .map((control) => control.outerHTML.slice(0, 80))`)) as string[];
  assert.deepEqual(unlabelled, []);
  await page.fill("#decisions-search", "");
  // Tab from the top of the page to the search box, then type with the keyboard alone.
  await page.evaluate("document.activeElement && document.activeElement.blur()");
  const reached: string[] = [];
  for (let presses = 0; presses < 400 && !reached.includes("decisions-search"); presses++) {
    await page.keyboard.press("Tab");
    reached.push((await page.evaluate(`document.activeElement ? document.activeElement.id || document.activeElement.tagName.toLowerCase() : ""`)) as string);
  }
  assert.ok(reached.includes("decisions-search"), "the search box is reachable by Tab");
  assert.ok(reached.filter((id) => id === "input").length >= 3 && reached.includes("task-filter") && reached.includes("button"), "checkboxes, the task filter and the sort buttons are in the tab order");
  await page.keyboard.type("prompt-01");
  assert.match((await page.textContent("#decisions-summary")) ?? "", /^10 of /);
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate("document.activeElement && document.activeElement.id"), "decisions-point");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.inputValue("#decisions-point"), String(decisions.points.findIndex((entry) => entry.label === "knob=0.5") + 1));
  const sortButton = page.locator("table.metrics thead th button").nth(1);
  await sortButton.focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("table.metrics thead th").nth(1).getAttribute("aria-sort"), "ascending");
  await page.close();
});
