/**
 * Lowers the calling thread to the least CPU priority the OS gives without privileges, for background
 * work that must never delay the serving thread and can bear starvation (shadow decisions: a bounded
 * backlog skips and counts what a saturated machine never got to). Work a person waits for (dashboard
 * reads) must not use it: on a saturated machine an idle-policy thread may not run at all.
 *
 * On Linux a nice value is per thread, so `setPriority(19)` lowers only the caller. Nice 19 still gets
 * time slices against nice-0 work; `SCHED_IDLE` runs only when no normal thread wants the core, and a
 * waking normal thread preempts it at once. Node has no API for the scheduling policy, so `chrt`
 * (util-linux) is asked to set it on this thread's id; where `chrt` or `/proc` is missing the nice
 * value alone stays. Best effort: never throws.
 */
import { execFile } from "node:child_process";
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/** Returns a promise settled once the policy change was tried (callers need not wait for it). */
export function lowerThreadPriority(): Promise<void> {
  try {
    setPriority(19);
  } catch {
    // Not permitted or not supported: the thread keeps its priority.
  }
  if (process.platform !== "linux") return Promise.resolve();
  let tid: string | undefined;
  try {
    // "/proc/thread-self" → "<pid>/task/<tid>"
    tid = readlinkSync("/proc/thread-self").split("/").pop();
  } catch {
    return Promise.resolve();
  }
  if (tid === undefined || !/^\d+$/.test(tid)) return Promise.resolve();
  return new Promise((resolve) => {
    execFile("chrt", ["--idle", "--pid", "0", tid], { timeout: 2000 }, () => resolve());
  });
}
