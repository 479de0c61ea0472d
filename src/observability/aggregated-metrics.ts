import type { Registry } from "prom-client";

/** One exposition sample as prom-client's registry renders it. */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What prom-client's `Registry.registerMetric` needs of a metric family. */
interface RegistryMetric {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  get(): Promise<{ name: string; help: string; type: string; aggregator: "sum"; values: Sample[] }>;
  reset(): void;
}

/** Options of an aggregated metric family. */
export interface AggregatedMetricOptions<L extends string> {
  name: string;
  help: string;
  /** Label names, in the order values are passed. */
  labelNames: readonly L[];
  registry: Registry;
}

/** A counter family whose label sets are looked up by their values, in order. */
export interface AggregatedCounter {
  inc(values: readonly string[], by?: number): void;
}

/** A histogram family whose label sets are looked up by their values, in order. */
export interface AggregatedHistogram {
  observe(values: readonly string[], value: number): void;
}

interface CounterCell {
  labels: Record<string, string>;
  value: number;
}

interface HistogramCell {
  labels: Record<string, string>;
  /** Per bucket (non-cumulative); the last slot counts values above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

const separator = "\u0000";

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  names.forEach((name, index) => (labels[name] = values[index] ?? ""));
  return labels;
}

function keyOf(values: readonly string[]): string {
  return values.length === 1 ? (values[0] as string) : values.join(separator);
}

/**
 * A Prometheus counter family registered on a prom-client registry, updated per request without
 * prom-client's per-call label validation and hashing: a label set is found by its values joined
 * (one string and one Map lookup), and the exposition is built only when `/metrics` is scraped. The
 * rendered text is the same as prom-client's `Counter`.
 *
 * @example
 * const requests = createAggregatedCounter({ name: "x_requests_total", help: "…", labelNames: ["model"], registry });
 * requests.inc(["gpt-4o"]);
 */
export function createAggregatedCounter<L extends string>(options: AggregatedMetricOptions<L>): AggregatedCounter {
  const cells = new Map<string, CounterCell>();
  const metric: RegistryMetric = {
    name: options.name,
    help: options.help,
    type: "counter",
    aggregator: "sum",
    async get() {
      const values: Sample[] = [];
      for (const cell of cells.values()) values.push({ labels: cell.labels, value: cell.value });
      return { name: options.name, help: options.help, type: "counter", aggregator: "sum", values };
    },
    reset() {
      cells.clear();
    },
  };
  options.registry.registerMetric(metric as unknown as Parameters<Registry["registerMetric"]>[0]);
  return {
    inc(values, by = 1) {
      const key = keyOf(values);
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { labels: labelsOf(options.labelNames, values), value: 0 };
        cells.set(key, cell);
      }
      cell.value += by;
    },
  };
}

/**
 * A Prometheus histogram family, aggregated like {@link createAggregatedCounter}: per label set,
 * a count per bucket, the sum and the count; cumulative buckets are built at scrape time. Renders the
 * same `_bucket` (with `le`, `+Inf` last), `_sum` and `_count` lines as prom-client's `Histogram`.
 */
export function createAggregatedHistogram<L extends string>(options: AggregatedMetricOptions<L> & { buckets: readonly number[] }): AggregatedHistogram {
  const bounds = [...options.buckets].sort((a, b) => a - b);
  const cells = new Map<string, HistogramCell>();
  const metric: RegistryMetric = {
    name: options.name,
    help: options.help,
    type: "histogram",
    aggregator: "sum",
    async get() {
      const values: Sample[] = [];
      const bucketName = `${options.name}_bucket`;
      for (const cell of cells.values()) {
        let cumulative = 0;
        bounds.forEach((bound, index) => {
          cumulative += cell.counts[index] as number;
          values.push({ labels: { le: bound, ...cell.labels }, value: cumulative, metricName: bucketName });
        });
        values.push({ labels: { le: "+Inf", ...cell.labels }, value: cell.count, metricName: bucketName });
        values.push({ labels: cell.labels, value: cell.sum, metricName: `${options.name}_sum` });
        values.push({ labels: cell.labels, value: cell.count, metricName: `${options.name}_count` });
      }
      return { name: options.name, help: options.help, type: "histogram", aggregator: "sum", values };
    },
    reset() {
      cells.clear();
    },
  };
  options.registry.registerMetric(metric as unknown as Parameters<Registry["registerMetric"]>[0]);
  return {
    observe(values, value) {
      if (!Number.isFinite(value)) return;
      const key = keyOf(values);
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { labels: labelsOf(options.labelNames, values), counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
        cells.set(key, cell);
      }
      let index = 0;
      while (index < bounds.length && value > (bounds[index] as number)) index++;
      cell.counts[index] = (cell.counts[index] as number) + 1;
      cell.sum += value;
      cell.count += 1;
    },
  };
}
