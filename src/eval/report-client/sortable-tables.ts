/**
 * Makes every `table.sortable` sortable: each column header becomes a button (keyboard-operable) that sorts
 * the body rows by the cells' `data-value` (numbers; empty = not defined, always last) or their text, and
 * `aria-sort` tells assistive technology the order. Rows marked `tr.reference` stay at the bottom.
 */
export function enhanceSortableTables(root: Document): void {
  for (const table of root.querySelectorAll<HTMLTableElement>("table.sortable")) {
    const headers = [...table.querySelectorAll<HTMLTableCellElement>("thead th")];
    headers.forEach((header, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.append(...header.childNodes);
      header.append(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", () => {
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        for (const other of headers) other.setAttribute("aria-sort", "none");
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortBody(table, column, ascending);
      });
    });
  }
}

function sortBody(table: HTMLTableElement, column: number, ascending: boolean): void {
  const body = table.tBodies[0];
  if (!body) return;
  const rows = [...body.rows];
  const reference = rows.filter((row) => row.classList.contains("reference"));
  const sortable = rows.filter((row) => !row.classList.contains("reference"));
  const keyOf = (row: HTMLTableRowElement): number | string | null => {
    const cell = row.cells[column];
    if (!cell) return null;
    const value = cell.dataset.value;
    if (value !== undefined) return value === "" ? null : Number(value);
    return (cell.textContent ?? "").trim().toLowerCase();
  };
  const direction = ascending ? 1 : -1;
  sortable.sort((a, b) => {
    const x = keyOf(a);
    const y = keyOf(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === "number" && typeof y === "number") return (x - y) * direction;
    return String(x).localeCompare(String(y)) * direction;
  });
  body.append(...sortable, ...reference);
}

/** The per-task tables follow the `#task-filter` select: rows whose `data-task` differs are hidden. */
export function setupTaskFilter(root: Document): void {
  const select = root.querySelector<HTMLSelectElement>("#task-filter");
  if (!select) return;
  const apply = (): void => {
    for (const row of root.querySelectorAll<HTMLTableRowElement>("tr[data-task]")) row.hidden = select.value !== "" && row.dataset.task !== select.value;
  };
  select.addEventListener("change", apply);
  apply();
}
