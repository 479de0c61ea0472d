import type uPlot from "uplot";
import { formatUsd } from "../format-usd.js";

/** Width for a chart in `container`, bounded so it stays readable on phones and wide screens. */
export function chartWidth(container: HTMLElement): number {
  return Math.max(320, Math.min(1000, Math.floor(container.clientWidth || 960)));
}

/** Tick labels of a log-scale USD axis. */
export function usdTicks(_u: uPlot, splits: number[]): string[] {
  return splits.map((value) => (value > 0 ? formatUsd(Number(value.toPrecision(1))) : ""));
}

/**
 * A log-scale range around [min, max] snapped to one significant digit (6e-5 … 2e-2): uPlot's log-axis
 * splits step by the decade from the range's minimum and never terminate from an arbitrary float minimum.
 */
export function logRange(min: number, max: number): [number, number] {
  const low = min / 1.15;
  const high = max * 1.15;
  const lowDecade = Math.pow(10, Math.floor(Math.log10(low)));
  const highDecade = Math.pow(10, Math.floor(Math.log10(high)));
  return [Number((Math.floor(low / lowDecade) * lowDecade).toPrecision(1)), Number((Math.ceil(high / highDecade) * highDecade).toPrecision(1))];
}

/** Tick labels of a linear axis, with as many decimals as the tick step needs (0.05 → two). */
export function decimalTicks(_u: uPlot, splits: number[]): string[] {
  const step = splits.length > 1 ? Math.abs((splits[1] ?? 0) - (splits[0] ?? 0)) : 1;
  const decimals = step > 0 ? Math.max(0, Math.min(6, Math.ceil(-Math.log10(step) - 1e-9))) : 2;
  return splits.map((value) => value.toFixed(decimals));
}

/** All x values of the series, sorted and unique, and each series' y aligned on them (null where absent). */
export function alignSeries(series: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): { xs: number[]; ys: Array<Array<number | null>> } {
  const xs = [...new Set(series.flatMap((points) => points.map(([x]) => x)))].sort((a, b) => a - b);
  const position = new Map(xs.map((x, index) => [x, index]));
  const ys = series.map((points) => {
    const column: Array<number | null> = new Array<number | null>(xs.length).fill(null);
    for (const [x, y] of points) column[position.get(x) ?? 0] = y;
    return column;
  });
  return { xs, ys };
}

/** Resolves once uPlot has drawn the chart for the first time. */
export function firstDraw(): { hook: (u: uPlot) => void; drawn: Promise<void> } {
  let resolve: () => void = () => undefined;
  const drawn = new Promise<void>((done) => {
    resolve = done;
  });
  return { hook: () => resolve(), drawn };
}

/** A labelled checkbox per series that shows or hides it (keyboard-operable, unlike uPlot's own legend). */
export function seriesToggles(host: HTMLElement, legend: string, entries: ReadonlyArray<{ label: string; color: string; dashed?: boolean }>, onToggle: (index: number, show: boolean) => void): void {
  const fieldset = document.createElement("fieldset");
  fieldset.className = "series-toggles";
  const caption = document.createElement("legend");
  caption.textContent = legend;
  fieldset.append(caption);
  entries.forEach((entry, index) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", () => onToggle(index, box.checked));
    const swatch = document.createElement("span");
    swatch.className = entry.dashed ? "swatch dashed" : "swatch";
    swatch.style.setProperty("--swatch", entry.color);
    label.append(box, swatch, document.createTextNode(entry.label));
    fieldset.append(label);
  });
  host.append(fieldset);
}
