import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { evaluate } from "../../src/eval/evaluate.js";
import { escapeHtml } from "../../src/eval/escape-html.js";
import { renderReportHtml } from "../../src/eval/report-html.js";
import { writeReport } from "../../src/eval/write-report.js";
import { toyFixedRouter, toyInput, toyObjectiveRouter } from "./toy.js";

const chromiumPath = "/usr/bin/chromium";
const dir = await mkdtemp(join(tmpdir(), "switchyard-report-"));
after(() => rm(dir, { recursive: true, force: true }));

const hostile = '<script>alert("x")</script>&';
function hostileReport() {
  const input = toyInput([toyObjectiveRouter({ name: `knn ${hostile}` }), toyFixedRouter("oracle")]);
  return evaluate({ ...input, dataset: `toy ${hostile}`, models: input.models });
}

test("escapeHtml escapes the five HTML-special characters", () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
});

test("the HTML is self-contained and escapes every string from the report", () => {
  const html = renderReportHtml(hostileReport());
  assert.ok(!/<script/i.test(html), "no script element, not even an injected one");
  assert.ok(html.includes("knn &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;"));
  const urls = html.match(/(?:https?:)?\/\/[^\s"')]+/g) ?? [];
  assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"], "no network references besides the SVG namespace");
  assert.equal(html.match(/<g class="series"/g)?.length, 2 + 3);
  // A router named "oracle" does not collide with the oracle series.
  assert.equal(html.match(/data-kind="oracle"/g)?.length, 1);
});

test("writeReport writes report.json and report.html", async () => {
  const report = evaluate(toyInput());
  const { jsonPath, htmlPath } = await writeReport(report, join(dir, "out"));
  assert.deepEqual(JSON.parse(await readFile(jsonPath, "utf8")), report);
  assert.match(await readFile(htmlPath, "utf8"), /^<!doctype html>/);
});

test(
  "chromium renders the chart with one series per router plus zero router, oracle and single models",
  { skip: existsSync(chromiumPath) ? false : `${chromiumPath} is absent (apt-get install -y chromium)`, timeout: 60_000 },
  async () => {
    const { chromium } = await import("playwright-core");
    const report = hostileReport();
    const { htmlPath } = await writeReport(report, join(dir, "browser"));
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requested: string[] = [];
      page.on("request", (request) => requested.push(request.url()));
      await page.goto(pathToFileURL(htmlPath).href);
      assert.equal(await page.locator("svg.chart g.series").count(), report.routers.length + 3);
      assert.equal(await page.locator('svg.chart g.series[data-kind="router"]').count(), report.routers.length);
      for (const router of report.routers) {
        const series = page.locator("svg.chart g.series[data-kind=router]").filter({ has: page.locator(`circle.point`) }).nth(report.routers.indexOf(router));
        assert.equal(await series.locator("circle.point").count(), router.points.length, `${router.name}: one dot per operating point`);
      }
      assert.equal(await page.locator("script").count(), 0);
      assert.deepEqual(requested, [pathToFileURL(htmlPath).href], "the page loads nothing else");
      const box = await page.locator("svg.chart").boundingBox();
      assert.ok(box && box.width > 500 && box.height > 300, "the chart has a sensible size");
      assert.match((await page.locator("h1").textContent()) ?? "", /toy <script>alert\("x"\)<\/script>&/);
    } finally {
      await browser.close();
    }
  },
);
