import { commandRegistry } from "./command-registry.js";

/** The one-line description of the `switchyard` program. */
export const programDescription = "Self-hosted LLM router: one OpenAI-compatible endpoint in front of many models";

/**
 * `switchyard --help` without loading commander (its import is most of a cold start's cost): the same
 * layout commander prints, from the command registry.
 */
export function topLevelHelp(width = 80): string {
  const rows: Array<[string, string]> = commandRegistry.map((entry) => [`${entry.name} [options]`, entry.description]);
  rows.push(["help [command]", "display help for command"]);
  const options: Array<[string, string]> = [
    ["-V, --version", "output the version number"],
    ["-h, --help", "display help for command"],
  ];
  const termWidth = Math.max(...[...rows, ...options].map(([term]) => term.length));
  const format = ([term, description]: [string, string]): string => `  ${term.padEnd(termWidth)}  ${wrap(description, width - termWidth - 4, termWidth + 4)}`;
  return [
    "Usage: switchyard [options] [command]",
    "",
    programDescription,
    "",
    "Options:",
    ...options.map(format),
    "",
    "Commands:",
    ...rows.map(format),
    "",
  ].join("\n");
}

function wrap(text: string, width: number, indent: number): string {
  if (width < 20) return text;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}
