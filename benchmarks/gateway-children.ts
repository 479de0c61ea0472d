/**
 * Child processes of the gateway benchmarks (upstream, gateways, proxies): each prints `READY <url>` on
 * stdout once it listens. One group per benchmark run, stopped together at the end.
 */
import { spawn, type ChildProcess } from "node:child_process";

/** A started child and the URL it announced. */
export interface ReadyChild {
  child: ChildProcess;
  url: string;
}

/** The children of one benchmark run. */
export interface ChildGroup {
  /** Spawns `command args` in `cwd` and resolves with the URL from its `READY <url>` line (rejects if it exits first). */
  start(command: string, args: string[], options?: { env?: Record<string, string>; cwd?: string }): Promise<ReadyChild>;
  /** Adds a child started some other way, so `stopAll` stops it too. */
  adopt(child: ChildProcess): void;
  /** Sends SIGTERM to every child. */
  stopAll(): void;
}

/** A {@link ChildGroup} whose children run in `defaultCwd` unless told otherwise. */
export function createChildGroup(defaultCwd: string): ChildGroup {
  const children: ChildProcess[] = [];
  return {
    async start(command, args, options = {}) {
      const child = spawn(command, args, { cwd: options.cwd ?? defaultCwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "ignore"] });
      children.push(child);
      const url = await new Promise<string>((resolveUrl, reject) => {
        let text = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
          const match = /READY (\S+)/.exec(text);
          if (match) resolveUrl(match[1] as string);
        });
        child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
      });
      child.stdout?.resume();
      return { child, url };
    },
    adopt(child) {
      children.push(child);
    },
    stopAll() {
      for (const child of children) child.kill("SIGTERM");
    },
  };
}
