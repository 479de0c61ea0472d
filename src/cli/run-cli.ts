import { Command, CommanderError } from "commander";
import { isSwitchyardError } from "../core/errors.js";
import { commandRegistry } from "./command-registry.js";
import { packageVersion } from "./package-version.js";
import { programDescription } from "./top-level-help.js";
import { UsageError } from "./usage-error.js";

/** The command an argument list invokes (`help <name>` counts as `<name>`), if it is a registered one. */
export function invokedCommandName(argv: readonly string[]): string | undefined {
  const [first, second] = argv;
  const name = first === "help" ? second : first;
  return commandRegistry.some((entry) => entry.name === name) ? name : undefined;
}

/**
 * Builds the `switchyard` command line (no side effects until `parseAsync`). Only the invoked command's
 * module is imported; every other command is a placeholder with its one-line description, so a
 * command's start-up cost does not grow with the number of commands.
 */
export async function createProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command()
    .name("switchyard")
    .description(programDescription)
    .version(packageVersion())
    .showHelpAfterError(false)
    .exitOverride();
  const invoked = invokedCommandName(argv);
  for (const entry of commandRegistry) {
    if (entry.name === invoked) (await entry.load())(program);
    else program.command(entry.name).description(entry.description);
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI: usage errors exit 2 with one line, Switchyard errors exit 1 with one line, never a stack trace. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = await createProgram(argv);
  program.configureOutput({ writeErr: (text) => process.stderr.write(text.split("\n")[0]!.trim() ? `${text.split("\n")[0]}\n` : "") });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "commander.help") return 0;
      return 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    if (isSwitchyardError(error)) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`error: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.SWITCHYARD_DEBUG) console.error(error);
    return 1;
  }
}

