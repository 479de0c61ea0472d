import { formatCount, formatFraction, formatTime, formatUsd } from "../format";
import type { KeyRow } from "../types";
import { useLive } from "../use-live";
import { ErrorNote } from "../widgets";

/** Spend against budget per key and period, pacing, rate-limit hits. */
export function KeysPage(props: { onUnauthorized: () => void }) {
  const { data, error } = useLive<{ keys: KeyRow[]; openRateLimitHits: number }>("/admin/api/keys", props.onUnauthorized);
  if (data === null) return error ? <ErrorNote error={error} /> : <p aria-busy="true">Loading…</p>;
  if (data.keys.length === 0) return <p>No API keys yet: the gateway runs open. Create one with <code>switchyard keys create</code>.</p>;
  return (
    <div>
      <ErrorNote error={error} />
      <table class="keys">
        <caption>API keys and their budgets (current period)</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Period</th>
            <th scope="col">Spent / budget</th>
            <th scope="col">Used</th>
            <th scope="col">Period elapsed</th>
            <th scope="col">Pacing (willingness multiplier)</th>
            <th scope="col">Rate-limit hits</th>
            <th scope="col">Limits</th>
            <th scope="col">Requests (24 h)</th>
          </tr>
        </thead>
        <tbody>
          {data.keys.map((key) => (
            <tr key={key.id} data-key={key.id}>
              <th scope="row">
                {key.name} {key.revoked ? <small>(revoked)</small> : null}
                <br />
                <small class="mono">{key.id}</small>
              </th>
              <td>
                {key.budget.period}
                <br />
                <small>from {formatTime(key.budget.periodStart)}</small>
              </td>
              <td data-metric="spentUsd" data-value={String(key.budget.spentUsd)}>
                {formatUsd(key.budget.spentUsd)} / {key.budget.limitUsd === null ? "no budget" : formatUsd(key.budget.limitUsd)}
              </td>
              <td>
                {key.budget.usedFraction === null ? (
                  "–"
                ) : (
                  <>
                    <progress max={1} value={Math.min(1, key.budget.usedFraction)} aria-label={`${key.name}: share of budget used`} /> {formatFraction(key.budget.usedFraction)}
                  </>
                )}
              </td>
              <td>{formatFraction(key.budget.periodElapsedFraction)}</td>
              <td>{key.pacing === null ? "off" : `×${key.pacing.willingnessMultiplier ?? "–"}`}</td>
              <td data-metric="rateLimitHits" data-value={String(key.rateLimitHits.sinceStart)}>
                {formatCount(key.rateLimitHits.sinceStart)} <small>since start</small>
              </td>
              <td>
                {key.limits.rpm === null ? "–" : `${key.limits.rpm} rpm`} {key.limits.tpm === null ? "" : `${key.limits.tpm} tpm`}
              </td>
              <td>{formatCount(key.last24h.requests)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
