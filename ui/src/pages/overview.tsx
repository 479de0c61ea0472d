import { useEffect, useMemo, useRef } from "preact/hooks";
import { Chart } from "../chart";
import { formatCount, formatFraction, formatMs, formatRate, formatScore, formatUsd } from "../format";
import type { Counterfactual, Overview, Quality } from "../types";
import { useLive } from "../use-live";
import { ErrorNote, Section, Stat } from "../widgets";

function SavingsRow(props: { title: string; entry: Counterfactual | null; metric: string; missing: string }) {
  const { entry } = props;
  if (entry === null) {
    return (
      <tr>
        <th scope="row">{props.title}</th>
        <td colSpan={5}>{props.missing}</td>
      </tr>
    );
  }
  return (
    <tr>
      <th scope="row">
        {props.title}: <span class="mono">{entry.model}</span>
      </th>
      <td data-metric={`${props.metric}.predictedCostUsd`} data-value={String(entry.predictedCostUsd ?? "")}>{formatUsd(entry.predictedCostUsd)}</td>
      <td data-metric={`${props.metric}.savingsUsd`} data-value={String(entry.savingsUsd ?? "")}>{formatUsd(entry.savingsUsd)}</td>
      <td data-metric={`${props.metric}.savingsFraction`} data-value={String(entry.savingsFraction ?? "")}>{formatFraction(entry.savingsFraction)}</td>
      <td>{formatScore(entry.predictedQuality)}</td>
      <td>{formatFraction(entry.coverage)}</td>
    </tr>
  );
}

export function QualityList(props: { quality: Quality; prefix: string }) {
  const entries = [
    ["feedback", props.quality.feedback],
    ["judge", props.quality.judge],
    ["rewards", props.quality.rewards],
    ["predicted", props.quality.predicted],
  ] as const;
  return (
    <dl class="stats">
      {entries.map(([name, signal]) => (
        <Stat key={name} label={`${signal.label} (n = ${formatCount(signal.count)})`} metric={`${props.prefix}.${name}`} value={signal.mean} text={formatScore(signal.mean)} />
      ))}
    </dl>
  );
}

/** Traffic, latency, errors, spend, savings and quality over the chosen window. */
export function OverviewPage(props: { window: string; onUnauthorized: () => void }) {
  const { data, error } = useLive<Overview>(`/admin/api/overview?window=${props.window}`, props.onUnauthorized);
  const drawn = useRef(new Set<string>());
  const chartCount = 4;
  const onDrawn = (id: string) => () => {
    drawn.current.add(id);
    if (drawn.current.size === chartCount && document.body.dataset.ready !== "overview") {
      document.body.dataset.ready = "overview";
      performance.mark("overview-ready");
    }
  };
  useEffect(() => {
    drawn.current.clear();
    delete document.body.dataset.ready;
  }, [props.window]);
  const charts = useMemo(() => {
    if (data === null) return null;
    const times = data.series.map((point) => point.t);
    const pick = (name: keyof Overview["series"][number]) => data.series.map((point) => point[name] as number | null);
    return {
      times,
      traffic: [{ label: "requests", values: pick("requests") }, { label: "errors", values: pick("errors") }],
      latency: [{ label: "p50", values: pick("latencyP50Ms") }, { label: "p99", values: pick("latencyP99Ms") }],
      spend: [{ label: "real spend", values: pick("spendUsd") }],
      savings: [
        { label: "routing (predicted)", values: pick("routingPredictedCostUsd") },
        { label: `best single${data.savings.bestSingle ? ` (${data.savings.bestSingle.model})` : ""}`, values: pick("bestSinglePredictedCostUsd") },
        ...(data.savings.defaultModel ? [{ label: `default (${data.savings.defaultModel.model})`, values: pick("defaultPredictedCostUsd") }] : []),
      ],
    };
  }, [data]);
  if (data === null) return <p aria-busy="true">{error ? <ErrorNote error={error} /> : "Loading…"}</p>;
  const { totals, savings } = data;
  const step = data.window.stepMs >= 86_400_000 ? "day" : data.window.stepMs >= 3_600_000 ? "hour" : `${data.window.stepMs / 60_000} min`;
  return (
    <div>
      <ErrorNote error={error} />
      <Section title="Traffic" id="traffic">
        <dl class="stats">
          <Stat label="Requests / s" metric="requestsPerSecond" value={totals.requestsPerSecond} text={formatRate(totals.requestsPerSecond)} />
          <Stat label="Requests" metric="requests" value={totals.requests} text={formatCount(totals.requests)} />
          <Stat label="Latency p50" metric="latencyP50Ms" value={totals.latencyP50Ms} text={formatMs(totals.latencyP50Ms)} />
          <Stat label="Latency p99" metric="latencyP99Ms" value={totals.latencyP99Ms} text={formatMs(totals.latencyP99Ms)} />
          <Stat label="Errors" metric="errors" value={totals.errors} text={formatCount(totals.errors)} />
          <Stat label="Error rate" metric="errorRate" value={totals.errorRate} text={formatFraction(totals.errorRate)} />
          <Stat label="Spend" metric="spendUsd" value={totals.spendUsd} text={formatUsd(totals.spendUsd)} />
          <Stat label="Spend per hour" metric="spendPerHourUsd" value={totals.spendPerHourUsd} text={formatUsd(totals.spendPerHourUsd)} />
          <Stat label="Spend, last 24 h" metric="spendLast24hUsd" value={totals.spendLast24hUsd} text={formatUsd(totals.spendLast24hUsd)} />
        </dl>
      </Section>
      <div class="grid">
        {charts && <Chart id="traffic" title={`Requests and errors per ${step}`} times={charts.times} series={charts.traffic} unit="requests" onDrawn={onDrawn("traffic")} />}
        {charts && <Chart id="latency" title={`Latency p50 / p99 per ${step}`} times={charts.times} series={charts.latency} unit="ms" onDrawn={onDrawn("latency")} />}
        {charts && <Chart id="spend" title={`Spend per ${step} (USD)`} times={charts.times} series={charts.spend} unit="USD" onDrawn={onDrawn("spend")} />}
        {charts && <Chart id="savings" title={`Predicted cost per ${step}: routing vs single models (USD)`} times={charts.times} series={charts.savings} unit="USD" onDrawn={onDrawn("savings")} />}
      </div>
      <Section title="Savings (estimated from the decision log)" id="savings">
        <p>
          Routed requests: <span data-metric="savings.routed" data-value={String(savings.routed)}>{formatCount(savings.routed)}</span>; routing's predicted cost:{" "}
          <span data-metric="savings.routingPredictedCostUsd" data-value={String(savings.routingPredictedCostUsd)}>{formatUsd(savings.routingPredictedCostUsd)}</span>.
        </p>
        <table>
          <caption>What the same routed traffic would have cost on one model</caption>
          <thead>
            <tr>
              <th scope="col">Compared with</th>
              <th scope="col">Predicted cost</th>
              <th scope="col">Saved</th>
              <th scope="col">Saved %</th>
              <th scope="col">Predicted quality</th>
              <th scope="col">Candidate on</th>
            </tr>
          </thead>
          <tbody>
            <SavingsRow title="Best single model" entry={savings.bestSingle} metric="bestSingle" missing="No model was a candidate on half of the routed requests yet." />
            <SavingsRow title="Default model" entry={savings.defaultModel} metric="defaultModel" missing="No default model configured (ui.defaultModel)." />
          </tbody>
        </table>
        <details>
          <summary>How this is estimated</summary>
          <p>{savings.method}</p>
        </details>
      </Section>
      <Section title="Quality" id="quality">
        <QualityList quality={data.quality} prefix="quality" />
      </Section>
    </div>
  );
}
