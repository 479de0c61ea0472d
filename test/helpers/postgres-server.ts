import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** A private PostgreSQL server for one test file (loopback only, in a temporary folder). */
export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The server's data folder (its `postmaster.pid` names the server process). */
  dataDir: string;
  /** `postgres://user:password@127.0.0.1:port/database`. */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server the way a crash would (`pg_ctl stop -m immediate`); `start()` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** Where `initdb` and `pg_ctl` are: on PATH, else the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string | undefined {
  for (const directory of (process.env.PATH ?? "").split(":")) {
    if (directory !== "" && existsSync(join(directory, "initdb")) && existsSync(join(directory, "pg_ctl"))) return directory;
  }
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can. Printed once, so a skip is never silent.
 */
export function postgresSkipReason(): string | undefined {
  if (postgresBinDir() !== undefined) return undefined;
  const reason = "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin: install Debian's postgresql package (.ci/run does)";
  process.stdout.write(`# skipping PostgreSQL tests: ${reason}\n`);
  return reason;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/**
 * Starts a private PostgreSQL: `initdb` into a temporary folder, `pg_ctl start` on a free loopback port,
 * password authentication over TCP (so wrong credentials can be tested). PostgreSQL refuses to run as
 * root, so under root (CI) both run as `nobody` (`runuser`), owning the folder. `fsync: false` (default)
 * trades crash safety of the test server for speed; benchmarks pass `fsync: true`.
 */
export async function startPostgresServer(options: { fsync?: boolean } = {}): Promise<PostgresServer> {
  const binDir = postgresBinDir();
  if (binDir === undefined) throw new Error("PostgreSQL binaries not found (check postgresSkipReason() first)");
  const dir = mkdtempSync(join(tmpdir(), "switchyard-pg-"));
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? Number(execFileSync("id", ["-u", "nobody"]).toString().trim()) : undefined;
  const gid = asRoot ? Number(execFileSync("id", ["-g", "nobody"]).toString().trim()) : undefined;
  const user = "switchyard";
  const password = "test-secret-p@ss:w/rd";
  writeFileSync(join(dir, "password"), `${password}\n`);
  if (uid !== undefined && gid !== undefined) {
    chownSync(dir, uid, gid);
    chownSync(join(dir, "password"), uid, gid);
  }
  const command = (name: string, args: string[]) => (asRoot ? run("runuser", ["-u", "nobody", "--", join(binDir, name), ...args]) : run(join(binDir, name), args));
  const dataDir = join(dir, "data");
  await command("initdb", ["-D", dataDir, "-U", user, "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${join(dir, "password")}`, "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  const settings = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", "-c max_connections=200"];
  if (options.fsync !== true) settings.push("-c fsync=off", "-c full_page_writes=off");
  const start = async () => {
    await command("pg_ctl", ["-D", dataDir, "-l", join(dir, "server.log"), "-o", settings.join(" "), "-w", "-t", "30", "start"]);
  };
  const stopNow = () => {
    try {
      if (asRoot) execFileSync("runuser", ["-u", "nobody", "--", join(binDir, "pg_ctl"), "-D", dataDir, "-m", "immediate", "-w", "stop"], { stdio: "ignore" });
      else execFileSync(join(binDir, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"], { stdio: "ignore" });
    } catch {
      // Not running.
    }
  };
  // A test file that dies halfway must not leave a server behind.
  const cleanUp = () => {
    stopNow();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(1);
    });
  }
  await start();
  const url = (database = "postgres") => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    dataDir,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ host: "127.0.0.1", port, user, password, database: "postgres" });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}" STRATEGY FILE_COPY`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async kill() {
      await command("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
    },
    start,
    async stop() {
      stopNow();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
