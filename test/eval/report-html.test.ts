import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { evaluate, evaluateWithSweeps } from "../../src/eval/evaluate.js";
import { escapeHtml } from "../../src/eval/escape-html.js";
import { reportDecisions } from "../../src/eval/report-decisions.js";
import { renderReportHtml } from "../../src/eval/report-html.js";
import { reportDataElementId, type ReportPageData } from "../../src/eval/report-page-data.js";
import { writeReport } from "../../src/eval/write-report.js";
import { attributePayload, reportPageInput, scriptPayload } from "./report-page-fixture.js";
import { toyFixedRouter, toyInput, toyObjectiveRouter } from "./toy.js";

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

test("without its assets the page is static: tables and the SVG chart, no script, every string escaped", () => {
  const html = renderReportHtml(hostileReport());
  assert.ok(!/<script/i.test(html), "no script element, not even an injected one");
  assert.ok(html.includes("knn &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;"));
  const urls = html.match(/(?:https?:)?\/\/[^\s"')]+/g) ?? [];
  assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"], "no network references besides the SVG namespace");
  assert.equal(html.match(/<g class="series"/g)?.length, 2 + 3);
  // A router named "oracle" does not collide with the oracle series.
  assert.equal(html.match(/data-kind="oracle"/g)?.length, 1);
});

test("writeReport writes report.json and a self-contained report.html whose embedded data cannot close its element", async () => {
  const input = reportPageInput();
  const { report, sweeps, context } = evaluateWithSweeps(input);
  const decisions = reportDecisions(input, sweeps, context, new Map(report.routers.map((router) => [router.name, router.aiq])));
  const { jsonPath, htmlPath } = await writeReport(report, join(dir, "out"), { decisions });
  assert.deepEqual(JSON.parse(await readFile(jsonPath, "utf8")), report);
  const html = await readFile(htmlPath, "utf8");
  assert.match(html, /^<!doctype html>/);
  assert.equal(html.match(/<script\b/gi)?.length, 2, "the JSON data and the page's script, nothing injected");
  assert.equal(html.match(/<\/script/gi)?.length, 2);
  assert.ok(!/\s(?:src|href)=["']?(?:https?:)?\/\//i.test(html), "no external src or href");
  assert.ok(!html.includes(scriptPayload) && !html.includes(attributePayload), "payloads never appear raw");
  const json = html.slice(html.indexOf(`id="${reportDataElementId}">`) + `id="${reportDataElementId}">`.length, html.indexOf("</script>"));
  const data = JSON.parse(json) as ReportPageData;
  assert.deepEqual(data.report, report, "the page embeds exactly report.json's report");
  assert.equal(data.decisions?.prompts[0]?.text, scriptPayload, "the prompt survives the round trip unchanged");
});

test("reportDecisions: default router is the best AIQ (oracle aside), knob points when calibrated, a bad name is invalid_config", () => {
  const input = reportPageInput();
  const { report, sweeps, context } = evaluateWithSweeps(input);
  const aiq = new Map(report.routers.map((router) => [router.name, router.aiq]));
  const decisions = reportDecisions(input, sweeps, context, aiq);
  const best = [...report.routers].sort((a, b) => b.aiq - a.aiq)[0];
  assert.equal(decisions.router, best?.name);
  const knn = reportDecisions(input, sweeps, context, aiq, { router: "knn <script>x</script>" });
  assert.deepEqual(knn.points.map((point) => point.label).slice(0, 3), ["knob=0", "knob=0.05", "knob=0.1"]);
  assert.equal(knn.choices.length, 21);
  assert.equal(knn.choices[0]?.length, input.examples.length);
  const fixed = reportDecisions(input, sweeps, context, aiq, { router: "best-single" });
  assert.deepEqual(fixed.points.map((point) => point.label), ["fixed"]);
  const shortened = reportDecisions(input, sweeps, context, aiq, { promptBudgetChars: 64 * 120 });
  assert.ok(shortened.prompts.every((prompt) => prompt.text.length <= 123), "each prompt kept to its share (plus the ' … ' marker)");
  const long = shortened.prompts[2];
  assert.equal(long?.chars, input.examples[2]?.prompt.length);
  assert.ok(long && long.chars > 700 && long.text.startsWith("question 2: lorem") && long.text.endsWith("end 2") && long.text.includes(" … "), "head and tail kept");
  assert.throws(() => reportDecisions(input, sweeps, context, aiq, { router: "nope" }), (error: { code?: string }) => error.code === "invalid_config");
});
