import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (where `bin/switchyard.js` is). */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Runs the real CLI (`bin/switchyard.js`) in a child process, without blocking the event loop; resolves when it exits. */
export function runCli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(repositoryRoot, "bin/switchyard.js"), ...args], { cwd: repositoryRoot });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}
