/**
 * Mixture-of-Agents' aggregate-and-synthesize prompt (Wang et al. 2024, arXiv:2406.04692, Table 1), followed by
 * the user's question: the aggregator sees every proposer's answer, numbered, and writes one answer.
 */
export function aggregatorPromptOf(prompt: string, answers: readonly string[]): string {
  const numbered = answers.map((answer, index) => `${index + 1}. ${answer}`).join("\n\n");
  return [
    "You have been provided with a set of responses from various open-source models to the latest user query. Your task is to synthesize these responses into a single, high-quality response. It is crucial to critically evaluate the information provided in these responses, recognizing that some of it may be biased or incorrect. Your response should not simply replicate the given answers but should offer a refined, accurate, and comprehensive reply to the instruction. Ensure your response is well-structured, coherent, and adheres to the highest standards of accuracy and reliability.",
    "",
    "Responses from models:",
    numbered,
    "",
    "### User query",
    prompt,
  ].join("\n");
}
