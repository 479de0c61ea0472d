import { formatCount, formatFraction, formatMs, formatScore, formatUsd } from "../format";
import type { ModelRow } from "../types";
import { useLive } from "../use-live";
import { ErrorNote } from "../widgets";

/** Per target: share of traffic, spend, latency, error rate, breaker state, quality signals. */
export function ModelsPage(props: { window: string; onUnauthorized: () => void }) {
  const { data, error } = useLive<{ models: ModelRow[] }>(`/admin/api/models?window=${props.window}`, props.onUnauthorized);
  if (data === null) return error ? <ErrorNote error={error} /> : <p aria-busy="true">Loading…</p>;
  return (
    <div>
      <ErrorNote error={error} />
      <table class="models">
        <caption>Targets over the last {props.window}</caption>
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Requests</th>
            <th scope="col">Share</th>
            <th scope="col">Spend</th>
            <th scope="col">p50</th>
            <th scope="col">p99</th>
            <th scope="col">Error rate</th>
            <th scope="col">Breaker</th>
            <th scope="col">Feedback</th>
            <th scope="col">Judge</th>
            <th scope="col">Predicted quality</th>
          </tr>
        </thead>
        <tbody>
          {data.models.map((model) => (
            <tr key={model.target} data-model={model.target}>
              <th scope="row" class="mono">
                {model.target}
              </th>
              <td data-metric="requests" data-value={String(model.requests)}>{formatCount(model.requests)}</td>
              <td>
                <span class="bar" style={{ width: `${Math.round(model.share * 100)}%` }} aria-hidden="true" />
                {formatFraction(model.share)}
              </td>
              <td data-metric="spendUsd" data-value={String(model.spendUsd)}>{formatUsd(model.spendUsd)}</td>
              <td>{formatMs(model.latencyP50Ms)}</td>
              <td>{formatMs(model.latencyP99Ms)}</td>
              <td data-metric="errorRate" data-value={String(model.errorRate ?? "")}>{formatFraction(model.errorRate)}</td>
              <td class={`breaker ${model.breaker ?? ""}`}>{model.breaker ?? "–"}</td>
              <td>
                {formatScore(model.quality.feedback.mean)} <small>(n = {model.quality.feedback.count})</small>
              </td>
              <td>
                {formatScore(model.quality.judge.mean)} <small>(n = {model.quality.judge.count})</small>
              </td>
              <td>{formatScore(model.quality.predicted.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
