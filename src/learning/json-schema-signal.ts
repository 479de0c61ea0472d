/**
 * The `json-schema` request-level signal: when the request asked for JSON (`response_format.type` is
 * `json_object` or `json_schema`), the reward is 1 when the answer parses as a JSON object that has every
 * top-level `required` key of the given schema (when one is given), else 0. Null when the request did not
 * ask for JSON (the signal says nothing) or the answer text is unknown. Deliberately small: it checks what
 * a client would check first, not the whole JSON Schema vocabulary.
 */
export function jsonSchemaReward(responseFormat: unknown, answer: string | undefined): number | null {
  if (answer === undefined || responseFormat === null || typeof responseFormat !== "object") return null;
  const format = responseFormat as { type?: unknown; json_schema?: { schema?: { required?: unknown } } };
  if (format.type !== "json_object" && format.type !== "json_schema") return null;
  let value: unknown;
  try {
    value = JSON.parse(answer);
  } catch {
    return 0;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return 0;
  const required = format.type === "json_schema" ? format.json_schema?.schema?.required : undefined;
  if (Array.isArray(required)) {
    for (const key of required) if (typeof key === "string" && !Object.hasOwn(value, key)) return 0;
  }
  return 1;
}
