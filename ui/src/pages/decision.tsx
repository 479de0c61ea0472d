import { formatMs, formatScore, formatTime, formatUsd } from "../format";
import type { DecisionDetail } from "../types";
import { useLive } from "../use-live";
import { ErrorNote, Section } from "../widgets";

/** One trace: every candidate the router scored, the objective, guard, attempts, cost, latency, feedback. */
export function DecisionPageDetail(props: { id: string; onUnauthorized: () => void }) {
  const { data, error } = useLive<DecisionDetail>(`/admin/api/decisions/${encodeURIComponent(props.id)}`, props.onUnauthorized);
  if (data === null) return error ? <ErrorNote error={error} /> : <p aria-busy="true">Loading…</p>;
  const decision = data.decision;
  return (
    <div>
      <p>
        <a href="#/decisions">← All decisions</a>
      </p>
      <Section title={`Request ${data.id}`} id="request">
        <dl class="facts">
          <dt>Time (UTC)</dt>
          <dd>{formatTime(data.createdAt)}</dd>
          <dt>Key</dt>
          <dd class="mono">{data.keyId ?? "(none)"}</dd>
          <dt>Requested model</dt>
          <dd class="mono" data-field="requestedModel">{data.requestedModel ?? "–"}</dd>
          <dt>Served model</dt>
          <dd class="mono" data-field="servedModel">{data.servedModel ?? "–"}</dd>
          <dt>Status</dt>
          <dd>{data.errorCode === null ? data.status : `${data.status} ${data.errorCode}`}</dd>
          <dt>Guard</dt>
          <dd data-field="guard">{data.guard ?? "not run"}</dd>
          <dt>Policy route</dt>
          <dd class="mono" data-field="route">{data.route ?? "not run"}</dd>
          <dt>Latency</dt>
          <dd data-metric="latencyMs" data-value={String(data.latencyMs)}>{formatMs(data.latencyMs)} (upstream {formatMs(data.upstreamMs)})</dd>
          <dt>Real cost</dt>
          <dd data-metric="costUsd" data-value={String(data.costUsd ?? "")}>{formatUsd(data.costUsd)}</dd>
          <dt>Tokens</dt>
          <dd>
            {data.inputTokens ?? "–"} in, {data.outputTokens ?? "–"} out
          </dd>
          <dt>Fallbacks / retries</dt>
          <dd>
            {data.fallbacks} / {data.retries}
          </dd>
          <dt>Feedback</dt>
          <dd>{formatScore(data.feedback)}</dd>
          <dt>Judge</dt>
          <dd>{data.judge === null ? "–" : `${formatScore(data.judge.score)} (judging cost ${formatUsd(data.judge.costUsd)})`}</dd>
          <dt>Rewards</dt>
          <dd>{data.rewards.length === 0 ? "–" : data.rewards.map((reward) => `${reward.source}: ${formatScore(reward.score)}`).join(", ")}</dd>
        </dl>
      </Section>
      <Section title="Routing decision" id="routing">
        {decision === null ? (
          <p>Not routed (an explicit model, or refused before routing).</p>
        ) : (
          <>
            <p>
              Router <span class="mono">{decision.router}</span>, willingness to pay {decision.willingnessToPay.toPrecision(4)} USD per unit of quality
              {decision.quality === undefined ? "" : ` (quality knob ${decision.quality})`}, propensity {decision.propensity ?? 1}, decided in {formatMs(decision.decisionMs)}
              {decision.maxCostUsd === undefined ? "" : `, cost cap ${formatUsd(decision.maxCostUsd)}`}
              {decision.arm === undefined ? "" : `, arm ${decision.arm}`}.
            </p>
            <table>
              <caption>Candidates, best objective first (objective = willingness to pay × predicted quality − predicted cost)</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Predicted quality</th>
                  <th scope="col">Predicted cost</th>
                  <th scope="col">Objective</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {decision.candidates.map((candidate) => (
                  <tr key={candidate.model} data-candidate={candidate.model}>
                    <td class="mono">{candidate.model}</td>
                    <td>{formatScore(candidate.predictedQuality)}</td>
                    <td>{formatUsd(candidate.predictedCostUsd)}</td>
                    <td>{candidate.objective.toPrecision(4)}</td>
                    <td>{[candidate.chosen ? "chosen" : "", candidate.served ? "served" : ""].filter(Boolean).join(", ") || "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Section>
      <Section title="Upstream attempts" id="attempts">
        <table>
          <caption>Every call to an upstream, in order</caption>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Attempt</th>
              <th scope="col">Outcome</th>
              <th scope="col">Duration</th>
              <th scope="col">Waited</th>
            </tr>
          </thead>
          <tbody>
            {data.attempts.map((attempt, index) => (
              <tr key={index}>
                <td class="mono">{attempt.target}</td>
                <td>{attempt.attempt}</td>
                <td>{attempt.status === undefined ? attempt.outcome : `${attempt.outcome} (${attempt.status})`}</td>
                <td>{formatMs(attempt.durationMs)}</td>
                <td>{formatMs(attempt.waitedMs ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Prompt and answer" id="text">
        <h3>Prompt</h3>
        <pre class="text" data-field="prompt">{data.prompt ?? "(not stored: traces.storeText is off)"}</pre>
        <h3>Answer</h3>
        <pre class="text" data-field="response">{data.response ?? "(not stored)"}</pre>
      </Section>
    </div>
  );
}
