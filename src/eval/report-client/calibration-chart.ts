import uPlot from "uplot";
import type { EvaluationReport } from "../evaluation-report.js";
import { formatUsd } from "../format-usd.js";
import { seriesColors } from "../report-chart.js";
import { alignSeries, chartWidth, firstDraw, logRange, seriesToggles, usdTicks } from "./chart-helpers.js";

/**
 * The knob's calibration with uPlot: for every router with a calibration, the spend the knob asked for
 * (expected, from the training split's calibration; x) against the spend its choices realised on the test
 * split (y), one dot per knob 0, 0.05, …, 1, on log–log axes with the diagonal "realised = requested".
 * Resolves at once (nothing to draw) when no router has a calibration; the page then says so.
 */
export function drawCalibrationChart(host: HTMLElement, report: EvaluationReport): Promise<void> {
  const calibrated = report.routers
    .map((router, index) => ({ router, color: seriesColors[index % seriesColors.length] ?? "#333" }))
    .filter(({ router }) => (router.knobCurve ?? []).length > 0);
  if (calibrated.length === 0) return Promise.resolve();
  const curves = calibrated.map(({ router }) => (router.knobCurve ?? []).filter((knob) => knob.expectedSpendUsd > 0 && knob.realisedSpendUsd > 0));
  const spends = curves.flatMap((curve) => curve.flatMap((knob) => [knob.expectedSpendUsd, knob.realisedSpendUsd]));
  if (spends.length === 0) return Promise.resolve();
  const [low, high] = logRange(Math.min(...spends), Math.max(...spends));
  const diagonal: Array<readonly [number, number]> = [
    [low, low],
    [high, high],
  ];
  const { xs, ys } = alignSeries([diagonal, ...curves.map((curve) => curve.map((knob) => [knob.expectedSpendUsd, knob.realisedSpendUsd] as const))]);
  const { hook, drawn } = firstDraw();
  const chartHost = document.createElement("div");
  const readout = document.createElement("output");
  readout.className = "readout";
  readout.textContent = "Point at a dot to read its knob, requested and realised spend.";
  host.append(chartHost, readout);
  const width = chartWidth(host);
  const plot = new uPlot(
    {
      width,
      height: Math.round(Math.min(460, Math.max(300, width * 0.45))),
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: false, distr: 3, log: 10, range: () => [low, high] }, y: { distr: 3, log: 10, range: () => [low, high] } },
      axes: [
        { label: "requested spend per prompt: the knob's expected spend (training split)", values: usdTicks },
        { label: "realised spend per prompt (test split)", values: usdTicks, size: 70 },
      ],
      series: [
        {},
        { label: "realised = requested", stroke: "#999", width: 1, dash: [4, 4], spanGaps: true, points: { show: false } },
        ...calibrated.map(({ router, color }): uPlot.Series => ({ label: router.name, stroke: color, width: 1.8, spanGaps: true, points: { show: true, size: 5, fill: color } })),
      ],
      hooks: {
        draw: [hook],
        setCursor: [
          (u) => {
            const { left, top } = u.cursor;
            if (left === undefined || top === undefined || left < 0) return;
            let best = "";
            let bestDistance = 18 * 18;
            curves.forEach((curve, index) => {
              if (!u.series[index + 2]?.show) return;
              for (const knob of curve) {
                const dx = u.valToPos(knob.expectedSpendUsd, "x") - left;
                const dy = u.valToPos(knob.realisedSpendUsd, "y") - top;
                if (dx * dx + dy * dy < bestDistance) {
                  bestDistance = dx * dx + dy * dy;
                  best = `${calibrated[index]?.router.name ?? ""} at knob ${knob.knob}: requested ${formatUsd(knob.expectedSpendUsd)}, realised ${formatUsd(knob.realisedSpendUsd)} (willingness-to-pay ${knob.willingnessToPay.toPrecision(3)} USD per unit of quality)`;
                }
              }
            });
            if (best) readout.textContent = best;
          },
        ],
      },
    },
    [xs, ...ys] as uPlot.AlignedData,
    chartHost,
  );
  seriesToggles(host, "Routers shown", calibrated.map(({ router, color }) => ({ label: router.name, color })), (index, show) => plot.setSeries(index + 2, { show }));
  return drawn;
}
