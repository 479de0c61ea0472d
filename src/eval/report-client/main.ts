import { reportDataElementId, type ReportPageData } from "../report-page-data.js";
import { drawCalibrationChart } from "./calibration-chart.js";
import { drawCostQualityChart } from "./cost-quality-chart.js";
import { setupDecisionsBrowser } from "./decisions-browser.js";
import { enhanceSortableTables, setupTaskFilter } from "./sortable-tables.js";

// The report page's script (bundled with uPlot into one inline <script> by `npm run build:report`, or on
// demand by esbuild when running from source). It reads the embedded JSON, draws the charts, makes the
// tables sortable, wires the decisions browser, and then sets <html data-ready> for tests and timing.
function start(): void {
  const element = document.getElementById(reportDataElementId);
  if (!element?.textContent) throw new Error("report page: the embedded report data is missing");
  const data = JSON.parse(element.textContent) as ReportPageData;
  const drawn: Array<Promise<void>> = [];
  const costQuality = document.getElementById("cost-quality-chart");
  if (costQuality) drawn.push(drawCostQualityChart(costQuality, data.report));
  const calibration = document.getElementById("calibration-chart");
  if (calibration) drawn.push(drawCalibrationChart(calibration, data.report));
  enhanceSortableTables(document);
  setupTaskFilter(document);
  if (data.decisions) setupDecisionsBrowser(document, data.decisions);
  void Promise.all(drawn).then(() => {
    // Milliseconds from navigation start to every chart drawn: what BENCHMARKS.md quotes as "opens in".
    document.documentElement.dataset.readyMs = performance.now().toFixed(1);
    document.documentElement.dataset.ready = "true";
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
