import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private `redis-server` on a loopback port, in a temporary directory, without persistence. */
export interface PrivateRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` (with `password@` when started with one). */
  readonly url: string;
  /** The running server's process id (undefined while killed), e.g. to read its CPU time. */
  readonly pid: number | undefined;
  /** Kills the server (SIGKILL: an outage, not a shutdown); `start()` brings it back on the same port, empty. */
  kill(): Promise<void>;
  /** Starts it again after `kill()`. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

/** The `redis-server` binary, or undefined when it is not installed. */
export function redisServerBinary(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path !== "" ? path : undefined;
}

/**
 * `skip` reason for node:test when redis-server is missing (printed by the runner), else false.
 *
 * @example
 * test("limits across instances", { skip: redisSkip }, async () => { const redis = await startPrivateRedis(); … });
 */
export const redisSkip: string | false = redisServerBinary() === undefined ? "redis-server is not installed (apt-get install redis-server; .ci/run installs it)" : false;

/** A free loopback port (bound and released; the OS does not hand it out again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a private redis-server (`--save '' --appendonly no`, loopback only) and waits until it answers PING. */
export async function startPrivateRedis(options: { password?: string } = {}): Promise<PrivateRedis> {
  const binary = redisServerBinary();
  if (binary === undefined) throw new Error("redis-server is not installed");
  const dir = mkdtempSync(join(tmpdir(), "switchyard-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--loglevel", "warning"];
  if (options.password !== undefined) args.push("--requirepass", options.password);
  const start = async () => {
    child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    const started = child;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}`);
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`redis-server on port ${port} did not answer within 5 s`);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  const credentials = options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`;
  return {
    port,
    url: `redis://${credentials}127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when something on the port answers a RESP PING (with or without a password: NOAUTH counts). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}
