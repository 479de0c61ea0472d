import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Worker } from "node:worker_threads";

function hasChrt(): boolean {
  try {
    execFileSync("chrt", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const skip = process.platform !== "linux" ? "the idle policy is Linux's" : hasChrt() ? false : "util-linux chrt is not installed";

test("lowerThreadPriority puts only the calling thread (the shadow's worker) under SCHED_IDLE at nice 19", { skip }, async () => {
  const moduleUrl = new URL("../../src/util/lower-thread-priority.ts", import.meta.url).href;
  // Hooks are per thread: the worker registers tsx itself. It reports its own thread's policy and nice value after lowering itself.
  const worker = new Worker(
    `import { parentPort } from "node:worker_threads";
     import { readFileSync } from "node:fs";
     import { register } from "tsx/esm/api";
     register();
     const { lowerThreadPriority } = await import(${JSON.stringify(moduleUrl)});
     await lowerThreadPriority();
     const policy = /policy\\s*:\\s*(\\d+)/.exec(readFileSync("/proc/thread-self/sched", "utf8"))?.[1];
     const nice = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1].split(" ")[16];
     parentPort.postMessage({ policy, nice });`,
    { eval: true },
  );
  const answer = await new Promise<{ policy: string; nice: string }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  assert.deepEqual(answer, { policy: "5", nice: "19" }); // 5 = SCHED_IDLE
  const mainPolicy = /policy\s*:\s*(\d+)/.exec(readFileSync(`/proc/${process.pid}/task/${process.pid}/sched`, "utf8"))?.[1];
  assert.equal(mainPolicy, "0", "the serving (main) thread keeps SCHED_OTHER");
});
