import { Command, CommanderError } from "commander";
import { isSwitchyardError } from "../core/errors.js";
import { registerDemo } from "./commands/demo.js";
import { registerEval } from "./commands/eval.js";
import { registerFitPolicy } from "./commands/fit-policy.js";
import { registerKeys } from "./commands/keys.js";
import { registerLearning } from "./commands/learning.js";
import { registerOpe } from "./commands/ope.js";
import { registerLabel } from "./commands/label.js";
import { registerReload } from "./commands/reload.js";
import { registerRoute } from "./commands/route.js";
import { registerServe } from "./commands/serve.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerTrain } from "./commands/train.js";
import { registerTraces } from "./commands/traces.js";
import { UsageError } from "./usage-error.js";

/** Builds the `switchyard` command line (no side effects until `parseAsync`). */
export function createProgram(): Command {
  const program = new Command()
    .name("switchyard")
    .description("Self-hosted LLM router: one OpenAI-compatible endpoint in front of many models")
    .version("0.1.0")
    .showHelpAfterError(false)
    .exitOverride();
  registerTrain(program);
  registerEval(program);
  registerRoute(program);
  registerServe(program);
  registerDemo(program);
  registerFitPolicy(program);
  registerKeys(program);
  registerTraces(program);
  registerSimulate(program);
  registerLearning(program);
  registerOpe(program);
  registerReload(program);
  registerLabel(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI: usage errors exit 2 with one line, Switchyard errors exit 1 with one line, never a stack trace. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
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

const exitCode = await runCli(process.argv.slice(2));
// Servers keep the process alive on their own; everything else ends here.
if (exitCode !== 0) process.exit(exitCode);
