import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** One line of a chart. */
export interface Series {
  label: string;
  values: Array<number | null>;
  /** Right-hand axis (a second unit). */
  right?: boolean;
}

const palette = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569", "#ea580c", "#4f46e5"];

/** A uPlot line chart over epoch-millisecond times; re-uses its canvas when the data changes (live updates). */
export function Chart(props: { id: string; title: string; times: number[]; series: Series[]; unit: string; rightUnit?: string; onDrawn?: () => void }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = props.series.map((series) => series.label).join("\u0000");
  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    const width = Math.max(320, element.clientWidth || 600);
    const options: uPlot.Options = {
      width,
      height: 220,
      series: [{}, ...props.series.map((series, index) => ({ label: series.label, stroke: palette[index % palette.length], width: 1.5, spanGaps: false, points: { show: true, size: 4 }, scale: series.right ? "right" : "y" }))],
      axes: [{}, { label: props.unit, size: 60 }, ...(props.rightUnit === undefined ? [] : [{ side: 1, scale: "right", label: props.rightUnit, size: 60, grid: { show: false } }])],
      scales: { x: { time: true } },
      hooks: { draw: [() => props.onDrawn?.()] },
    };
    plot.current = new uPlot(options, [props.times.map((t) => t / 1000), ...props.series.map((series) => series.values)] as uPlot.AlignedData, element);
    const resize = () => plot.current?.setSize({ width: Math.max(320, element.clientWidth), height: 220 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of lines changes; new data goes through setData below.
  }, [shape, props.rightUnit]);
  useEffect(() => {
    plot.current?.setData([props.times.map((t) => t / 1000), ...props.series.map((series) => series.values)] as uPlot.AlignedData);
  }, [props.times, props.series]);
  const summary = `${props.title}: ${props.series.map((series) => series.label).join(", ")} over ${props.times.length} points`;
  return (
    <figure class="chart" data-chart={props.id}>
      <figcaption>{props.title}</figcaption>
      <div ref={holder} role="img" aria-label={summary} />
    </figure>
  );
}
