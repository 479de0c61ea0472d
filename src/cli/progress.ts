import cliProgress from "cli-progress";

/** A stage-by-stage progress display on stderr: a bar on a terminal, one line per stage otherwise. */
export interface Progress {
  stage(label: string, index: number, total: number): void;
  stop(): void;
}

/** Progress on stderr; silent when `quiet`. */
export function createProgress(options: { quiet?: boolean } = {}): Progress {
  if (options.quiet) return { stage() {}, stop() {} };
  if (!process.stderr.isTTY) {
    return {
      stage: (label, index, total) => process.stderr.write(`[${index}/${total}] ${label}\n`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: "{bar} {value}/{total} {stage}", stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    stage(label, index, total) {
      if (!started) {
        bar.start(total, index, { stage: label });
        started = true;
      } else bar.update(index, { stage: label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
