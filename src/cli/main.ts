#!/usr/bin/env node
// The `switchyard` executable. It imports nothing heavy itself: `--version` and `--help` answer from the
// command registry, and any other command loads commander and only that command's module (run-cli.ts).
import { packageVersion } from "./package-version.js";
import { topLevelHelp } from "./top-level-help.js";

const argv = process.argv.slice(2);
const [only] = argv;
// `--version` and `--help` answer before commander is even imported: they are every user's first commands.
if (argv.length === 1 && (only === "--version" || only === "-V")) process.stdout.write(`${packageVersion()}\n`);
else if (argv.length === 0 || (argv.length === 1 && (only === "--help" || only === "-h" || only === "help"))) process.stdout.write(topLevelHelp());
else {
  const { runCli } = await import("./run-cli.js");
  const exitCode = await runCli(argv);
  // Servers keep the process alive on their own; everything else ends here.
  if (exitCode !== 0) process.exit(exitCode);
}
