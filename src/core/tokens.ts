/**
 * Cheap token estimate used for routing and cost prediction: one token per four characters,
 * the rule OpenAI documents and the one the dcrouter dataset used to cost its outcomes.
 */
export function estimateTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

/** {@link estimateTokens} of a text of this many characters (when only its length is known). */
export function estimateTokensOfLength(characters: number): number {
  return Math.ceil(characters / 4);
}
