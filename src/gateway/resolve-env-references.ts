import { SwitchyardError } from "../core/errors.js";

const reference = /\$\$\{|\$\{([^}]*)\}/g;
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Resolves `${NAME}` (and `${NAME:-default}`) references in every string of a parsed config file
 * against `env`, as docker-compose and LiteLLM users expect (`apiKey: "${OPENAI_API_KEY}"`); `$${`
 * stands for a literal `${`. A variable that is unset (or empty, without a default) is a start-up
 * `invalid_config` error naming the variable and the field, so a placeholder is never sent upstream as
 * a bearer token. Keys of objects are not resolved, only values. The value is not echoed.
 *
 * @example
 * resolveEnvReferences({ upstreams: [{ apiKey: "${KEY}" }] }, { env: { KEY: "sk-…" }, sourceName: "switchyard.yaml" });
 */
export function resolveEnvReferences(value: unknown, options: { env: Record<string, string | undefined>; sourceName: string }): unknown {
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === "string") return node.includes("${") ? resolveString(node, path) : node;
    if (Array.isArray(node)) return node.map((item, index) => walk(item, path === "" ? String(index) : `${path}.${index}`));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, path === "" ? key : `${path}.${key}`);
      return out;
    }
    return node;
  };
  const resolveString = (text: string, path: string): string =>
    text.replace(reference, (match, inner: string | undefined) => {
      if (match === "$${") return "${";
      const body = inner ?? "";
      const separator = body.indexOf(":-");
      const name = separator < 0 ? body : body.slice(0, separator);
      if (!variableName.test(name)) {
        throw new SwitchyardError("invalid_config", `${options.sourceName}: ${path}: "\${${body.slice(0, 40)}}" is not a valid environment reference (expected \${NAME} or \${NAME:-default}; write $\${ for a literal \${)`);
      }
      const found = options.env[name];
      if (found !== undefined && found !== "") return found;
      if (separator >= 0) return body.slice(separator + 2);
      throw new SwitchyardError("invalid_config", `${options.sourceName}: ${path}: the environment variable ${name} is not set (referenced as \${${name}}); set it, or give a default with \${${name}:-…}`);
    });
  return walk(value, "");
}
