import { formatUsd } from "../format-usd.js";
import type { ReportDecisions } from "../report-decisions.js";

const pageSize = 25;
const summaryChars = 140;

interface Filters {
  point: number;
  task: string;
  model: string;
  outcome: string;
  search: string;
}

/**
 * The decisions browser: one router's choice on every test prompt at the selected operating point, filtered
 * by task, chosen model, outcome and a search over prompt text and id, 25 per page. Every string from the
 * data goes in as text (textContent / text nodes), never as HTML, so a prompt holding markup shows it.
 */
export function setupDecisionsBrowser(root: Document, decisions: ReportDecisions): void {
  const point = root.querySelector<HTMLSelectElement>("#decisions-point");
  const task = root.querySelector<HTMLSelectElement>("#decisions-task");
  const model = root.querySelector<HTMLSelectElement>("#decisions-model");
  const outcome = root.querySelector<HTMLSelectElement>("#decisions-outcome");
  const search = root.querySelector<HTMLInputElement>("#decisions-search");
  const body = root.querySelector<HTMLTableSectionElement>("#decisions-table tbody");
  const summary = root.querySelector<HTMLElement>("#decisions-summary");
  const previous = root.querySelector<HTMLButtonElement>("#decisions-previous");
  const next = root.querySelector<HTMLButtonElement>("#decisions-next");
  const pageLabel = root.querySelector<HTMLElement>("#decisions-page");
  if (!point || !task || !model || !outcome || !search || !body || !summary || !previous || !next || !pageLabel) return;
  decisions.points.forEach((entry, index) => point.append(new Option(entry.label, String(index))));
  const middle = decisions.points.findIndex((entry) => entry.label === "knob=0.5");
  point.value = String(middle >= 0 ? middle : Math.floor(decisions.points.length / 2));
  for (const name of [...new Set(decisions.prompts.map((prompt) => prompt.task))].sort()) task.append(new Option(name, name));
  decisions.models.forEach((name, index) => model.append(new Option(name, String(index))));
  const lowered = decisions.prompts.map((prompt) => `${prompt.id}\n${prompt.text}`.toLowerCase());
  let page = 0;

  const read = (): Filters => ({ point: Number(point.value), task: task.value, model: model.value, outcome: outcome.value, search: search.value.trim().toLowerCase() });
  const matching = (filters: Filters): number[] => {
    const choices = decisions.choices[filters.point] ?? [];
    const result: number[] = [];
    decisions.prompts.forEach((prompt, i) => {
      const chosen = choices[i] ?? 0;
      if (filters.task !== "" && prompt.task !== filters.task) return;
      if (filters.model !== "" && String(chosen) !== filters.model) return;
      if (filters.outcome !== "" && !outcomeMatches(decisions, i, chosen, filters.outcome)) return;
      if (filters.search !== "" && !(lowered[i] ?? "").includes(filters.search)) return;
      result.push(i);
    });
    return result;
  };
  const render = (): void => {
    const filters = read();
    const rows = matching(filters);
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    page = Math.min(page, pages - 1);
    const choices = decisions.choices[filters.point] ?? [];
    const selected = decisions.points[filters.point];
    body.replaceChildren(...rows.slice(page * pageSize, (page + 1) * pageSize).map((i) => decisionRow(decisions, i, choices[i] ?? 0, selected?.willingnessToPay)));
    pageLabel.textContent = `Page ${page + 1} of ${pages}`;
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
    summary.textContent = summaryOf(decisions, rows, choices, selected?.label ?? "");
  };
  const restart = (): void => {
    page = 0;
    render();
  };
  for (const control of [point, task, model, outcome]) control.addEventListener("change", restart);
  search.addEventListener("input", restart);
  previous.addEventListener("click", () => {
    page = Math.max(0, page - 1);
    render();
  });
  next.addEventListener("click", () => {
    page += 1;
    render();
  });
  render();
}

function outcomeMatches(decisions: ReportDecisions, i: number, chosen: number, outcome: string): boolean {
  const oracle = decisions.oracle[i] ?? 0;
  const scores = decisions.trueScore[i] ?? [];
  const costs = decisions.trueCostUsd[i] ?? [];
  const chosenScore = scores[chosen] ?? 0;
  const oracleScore = scores[oracle] ?? 0;
  if (outcome === "below-oracle") return chosenScore < oracleScore;
  if (outcome === "best-score") return chosenScore >= oracleScore;
  if (outcome === "overpaid") return chosenScore >= oracleScore && (costs[chosen] ?? 0) > (costs[oracle] ?? 0);
  return true;
}

function summaryOf(decisions: ReportDecisions, rows: readonly number[], choices: readonly number[], label: string): string {
  if (rows.length === 0) return `No prompt matches (of ${decisions.prompts.length}).`;
  let score = 0;
  let cost = 0;
  let oracleScore = 0;
  for (const i of rows) {
    const chosen = choices[i] ?? 0;
    score += decisions.trueScore[i]?.[chosen] ?? 0;
    cost += decisions.trueCostUsd[i]?.[chosen] ?? 0;
    oracleScore += decisions.trueScore[i]?.[decisions.oracle[i] ?? 0] ?? 0;
  }
  const n = rows.length;
  return `${n} of ${decisions.prompts.length} prompts. At ${label}, ${decisions.router}'s choices score ${(score / n).toFixed(3)} on average at ${formatUsd(cost / n)} per prompt on these prompts; the oracle scores ${(oracleScore / n).toFixed(3)}.`;
}

function decisionRow(decisions: ReportDecisions, i: number, chosen: number, willingnessToPay: number | undefined): HTMLTableRowElement {
  const prompt = decisions.prompts[i];
  const row = document.createElement("tr");
  if (!prompt) return row;
  const oracle = decisions.oracle[i] ?? 0;
  const scores = decisions.trueScore[i] ?? [];
  const costs = decisions.trueCostUsd[i] ?? [];
  const idCell = document.createElement("th");
  idCell.scope = "row";
  idCell.textContent = prompt.id;
  row.append(idCell, cell(prompt.task), promptCell(decisions, i, chosen, willingnessToPay), cell(decisions.models[chosen] ?? ""), cell(formatScore(scores[chosen]), scores[chosen]), cell(formatUsd(costs[chosen] ?? 0), costs[chosen]), cell(`${decisions.models[oracle] ?? ""} (${formatScore(scores[oracle])}, ${formatUsd(costs[oracle] ?? 0)})`));
  if ((scores[chosen] ?? 0) < (scores[oracle] ?? 0)) row.className = "missed";
  return row;
}

function promptCell(decisions: ReportDecisions, i: number, chosen: number, willingnessToPay: number | undefined): HTMLTableCellElement {
  const prompt = decisions.prompts[i];
  const td = document.createElement("td");
  td.className = "prompt";
  if (!prompt) return td;
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  // The end of a long prompt: few-shot prompts share their opening examples and end with the question.
  summary.textContent = prompt.text.length > summaryChars ? `…${prompt.text.slice(prompt.text.length - summaryChars)}` : prompt.text;
  const full = document.createElement("pre");
  full.textContent = prompt.text;
  details.append(summary, full);
  if (prompt.chars > prompt.text.length) {
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = `Shortened from ${prompt.chars} characters (beginning and end kept).`;
    details.append(note);
  }
  details.append(candidatesTable(decisions, i, chosen, willingnessToPay));
  td.append(details);
  return td;
}

/** Why this model: every candidate's predicted quality and cost, the objective, and what really happened. */
function candidatesTable(decisions: ReportDecisions, i: number, chosen: number, willingnessToPay: number | undefined): HTMLTableElement {
  const table = document.createElement("table");
  table.className = "candidates";
  const caption = document.createElement("caption");
  caption.textContent = willingnessToPay === undefined ? "Every model on this prompt" : `Every model on this prompt (willingness-to-pay ${willingnessToPay.toPrecision(3)} USD per unit of quality)`;
  const head = document.createElement("tr");
  for (const title of ["Model", "Predicted quality", "Predicted cost", ...(willingnessToPay === undefined ? [] : ["Objective"]), "True score", "True cost"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = title;
    head.append(th);
  }
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  decisions.models.forEach((name, m) => {
    const quality = decisions.predictedQuality[i]?.[m] ?? 0;
    const cost = decisions.predictedCostUsd[i]?.[m] ?? 0;
    const row = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = m === chosen ? `${name} (chosen)` : name;
    if (m === chosen) row.className = "chosen";
    row.append(th, cell(quality.toFixed(3)), cell(formatUsd(cost)));
    if (willingnessToPay !== undefined) row.append(cell((willingnessToPay * quality - cost).toPrecision(3)));
    row.append(cell(formatScore(decisions.trueScore[i]?.[m])), cell(formatUsd(decisions.trueCostUsd[i]?.[m] ?? 0)));
    tbody.append(row);
  });
  table.append(caption, thead, tbody);
  return table;
}

function cell(text: string, value?: number): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (value !== undefined) td.dataset.value = String(value);
  return td;
}

function formatScore(score: number | undefined): string {
  return score === undefined ? "–" : Number.isInteger(score) ? String(score) : score.toFixed(3);
}
