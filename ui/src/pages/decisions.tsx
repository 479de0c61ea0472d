import { useState } from "preact/hooks";
import { formatMs, formatScore, formatTime, formatUsd } from "../format";
import type { DecisionPage } from "../types";
import { useLive } from "../use-live";
import { ErrorNote } from "../widgets";

interface Filters {
  search: string;
  outcome: string;
  model: string;
}

const pathOf = (filters: Filters, cursor: string | null) => {
  const params = new URLSearchParams({ limit: "25" });
  if (filters.search !== "") params.set("search", filters.search);
  if (filters.outcome !== "") params.set("outcome", filters.outcome);
  if (filters.model !== "") params.set("model", filters.model);
  if (cursor !== null) params.set("cursor", cursor);
  return `/admin/api/decisions?${params.toString()}`;
};

/** Searchable, paginated traces, newest first. */
export function DecisionsPage(props: { targets: string[]; onUnauthorized: () => void }) {
  const [draft, setDraft] = useState<Filters>({ search: "", outcome: "", model: "" });
  const [filters, setFilters] = useState<Filters>(draft);
  // Cursors of the pages before the current one, to go back.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const { data, error } = useLive<DecisionPage>(pathOf(filters, cursor), props.onUnauthorized);
  const submit = (event: Event) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([null]);
  };
  return (
    <div>
      <form class="filters" role="search" aria-label="Search decisions" onSubmit={submit}>
        <label>
          Search
          <input type="search" name="search" value={draft.search} placeholder="request id, model, error code or prompt text" onInput={(event) => setDraft({ ...draft, search: (event.target as HTMLInputElement).value })} />
        </label>
        <label>
          Outcome
          <select name="outcome" value={draft.outcome} onChange={(event) => setDraft({ ...draft, outcome: (event.target as HTMLSelectElement).value })}>
            <option value="">all</option>
            <option value="ok">ok</option>
            <option value="error">errors</option>
          </select>
        </label>
        <label>
          Model
          <select name="model" value={draft.model} onChange={(event) => setDraft({ ...draft, model: (event.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {props.targets.map((target) => (
              <option key={target} value={target}>
                {target}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={error} />
      {data === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <table class="decisions">
            <caption>
              Decisions, newest first (page {cursors.length}, {data.data.length} shown)
            </caption>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Request</th>
                <th scope="col">Requested</th>
                <th scope="col">Served</th>
                <th scope="col">Status</th>
                <th scope="col">Latency</th>
                <th scope="col">Cost</th>
                <th scope="col">Feedback</th>
                <th scope="col">Prompt</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((row) => (
                <tr key={row.id} data-trace={row.id}>
                  <td>{formatTime(row.createdAt)}</td>
                  <td>
                    <a href={`#/decisions/${encodeURIComponent(row.id)}`} class="mono">
                      {row.id}
                    </a>
                  </td>
                  <td class="mono">{row.requestedModel ?? "–"}</td>
                  <td class="mono">{row.servedModel ?? "–"}</td>
                  <td>{row.errorCode === null ? row.status : `${row.status} ${row.errorCode}`}</td>
                  <td>{formatMs(row.latencyMs)}</td>
                  <td>{formatUsd(row.costUsd)}</td>
                  <td>{formatScore(row.feedback)}</td>
                  <td class="prompt">{row.prompt ?? "(not stored)"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors([null])}>
              First page
            </button>
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <button type="button" disabled={data.next === null} onClick={() => data.next !== null && setCursors([...cursors, data.next])}>
              Next page
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
