import { useMemo } from "preact/hooks";
import { Chart } from "../chart";
import { formatCount, formatTime } from "../format";
import type { Learning } from "../types";
import { useLive } from "../use-live";
import { ErrorNote, Section, Stat } from "../widgets";
import { QualityList } from "./overview";

/** Traffic share over time per target, rewards and exploration of an online router. */
export function LearningPage(props: { window: string; onUnauthorized: () => void }) {
  const { data, error } = useLive<Learning>(`/admin/api/learning?window=${props.window}`, props.onUnauthorized);
  const charts = useMemo(() => {
    if (data === null) return null;
    const times = data.series.map((point) => point.t);
    return {
      times,
      share: data.targets.map((target) => ({ label: target, values: data.series.map((point) => point.share[target] ?? null) })),
      rewards: [
        { label: "mean reward", values: data.series.map((point) => point.rewardMean) },
        { label: "exploration rate", values: data.series.map((point) => point.explorationRate) },
      ],
    };
  }, [data]);
  if (data === null) return error ? <ErrorNote error={error} /> : <p aria-busy="true">Loading…</p>;
  return (
    <div>
      <ErrorNote error={error} />
      {!data.active && <p class="note">No online router learns in this gateway (router artifact without a bandit, or learning disabled): the charts show routed traffic only.</p>}
      <Section title="Learner" id="learner">
        <dl class="stats">
          <Stat label="Router" metric="routerKind" value={null} text={data.learner.routerKind ?? "–"} />
          <Stat label="Updates learned" metric="updates" value={data.learner.updates} text={formatCount(data.learner.updates)} />
          <Stat label="Last snapshot (UTC)" metric="snapshotAt" value={data.learner.snapshotAt} text={data.learner.snapshotAt === null ? "–" : formatTime(data.learner.snapshotAt)} />
          <Stat label="Routed requests" metric="routed" value={data.totals.routed} text={formatCount(data.totals.routed)} />
          <Stat label="Explored (propensity < 1)" metric="explored" value={data.totals.explored} text={formatCount(data.totals.explored)} />
        </dl>
        <QualityList quality={data.totals.quality} prefix="learning" />
      </Section>
      {charts && (
        <div class="grid">
          <Chart id="share" title="Share of routed traffic per target" times={charts.times} series={charts.share} unit="share" />
          <Chart id="rewards" title="Mean reward and exploration rate" times={charts.times} series={charts.rewards} unit="0–1" />
        </div>
      )}
    </div>
  );
}
