import type { RoutingExample } from "../../src/data/routing-example.js";
import { createRandom } from "../../src/core/random.js";

/**
 * A routing dataset where the right answer is known: "math" prompts are answered well only by the
 * expensive model `big`, "chat" prompts equally well by the cheap `small`. Ids are `<split>-<n>`.
 */
export function syntheticRoutingExamples(count: number, seed: number, split: string): RoutingExample[] {
  const random = createRandom(seed);
  const mathWords = ["integral", "derivative", "equation", "solve", "prove", "theorem", "matrix", "eigenvalue"];
  const chatWords = ["hello", "weather", "movie", "recipe", "holiday", "music", "friend", "dinner"];
  const pick = (words: string[]): string => words[Math.floor(random() * words.length)]!;
  const examples: RoutingExample[] = [];
  for (let i = 0; i < count; i++) {
    const isMath = i % 2 === 0;
    const words = isMath ? mathWords : chatWords;
    const prompt = `${pick(words)} ${pick(words)} ${pick(words)} please ${pick(words)}`;
    const bigRight = random() < (isMath ? 0.9 : 0.95);
    const smallRight = random() < (isMath ? 0.1 : 0.9);
    examples.push({
      id: `${split}-${i}`,
      prompt,
      task: isMath ? "math" : "chat",
      split,
      outcomes: {
        small: { score: smallRight ? 1 : 0, costUsd: 0.0001 },
        big: { score: bigRight ? 1 : 0, costUsd: 0.002 },
      },
    });
  }
  return examples;
}
