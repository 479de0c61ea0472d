import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { datasetError, messageOf } from "./dataset-error.js";
import { readRouterBenchCsv } from "./read-routerbench-csv.js";
import { readRoutingJsonl } from "./read-routing-jsonl.js";
import type { RoutingDataset } from "./routing-example.js";

/**
 * Loads a routing dataset, choosing the reader by what `path` is:
 * - `*.jsonl` / `*.ndjson`: canonical routing JSONL ({@link readRoutingJsonl});
 * - `*.csv`: one RouterBench CSV ({@link readRouterBenchCsv});
 * - a directory: its RouterBench `*.csv` files, or else its `dataset.jsonl`.
 *
 * A missing path or an unknown format is an `invalid_dataset` error naming the path.
 *
 * @example
 * const dcrouter = await loadDataset("../shared/data/dcrouter/dataset.jsonl");
 * const routerbench = await loadDataset("../shared/data/routerbench"); // the CSVs as shipped
 */
export async function loadDataset(path: string): Promise<RoutingDataset> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw datasetError({ file: path }, code === "ENOENT" ? "no such file or directory" : `cannot read: ${messageOf(error)}`, error);
  }
  if (isDirectory) {
    const names = await readdir(path);
    if (names.some((name) => name.toLowerCase().endsWith(".csv"))) return readRouterBenchCsv(path);
    if (names.includes("dataset.jsonl")) return readRoutingJsonl(join(path, "dataset.jsonl"));
    throw datasetError({ file: path }, "no dataset in this directory (expected RouterBench *.csv files or a dataset.jsonl)");
  }
  const extension = extname(path).toLowerCase();
  if (extension === ".jsonl" || extension === ".ndjson") return readRoutingJsonl(path);
  if (extension === ".csv") return readRouterBenchCsv(path);
  throw datasetError({ file: path }, `unknown dataset format ${JSON.stringify(extension || "(no extension)")} (expected .jsonl, a RouterBench .csv, or a directory of them)`);
}
