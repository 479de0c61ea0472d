/**
 * Cheap token estimate used for routing and cost prediction: one token per four characters,
 * the rule OpenAI documents and the one the dcrouter dataset used to cost its outcomes.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
