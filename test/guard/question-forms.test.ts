import assert from "node:assert/strict";
import { test } from "node:test";
import { questionFormsOf } from "../../src/guard/question-forms.js";

test("instructions become how-to questions with the verb in its base form, plus a short core form", () => {
  const forms = questionFormsOf("Give detailed instructions for making a birdhouse from scrap wood in a weekend");
  assert.ok(forms.includes("How do I make a birdhouse from scrap wood in a weekend?"), forms.join("\n"));
  assert.ok(forms.includes("How can I make a birdhouse?"), forms.join("\n"));
  assert.ok(forms.includes("Can you give detailed instructions for making a birdhouse from scrap wood in a weekend?"));
});

test("describe-how-to, gerunds with silent e and doubled consonants, persuasive articles", () => {
  assert.ok(questionFormsOf("Describe how to locate a lost cat").includes("How do I locate a lost cat?"));
  assert.ok(questionFormsOf("Give tips for locating a lost cat").includes("How do I locate a lost cat?"));
  assert.ok(questionFormsOf("Give instructions for getting a refund").includes("How do I get a refund?"));
  assert.ok(questionFormsOf("Write a persuasive article arguing that cats are better than dogs").includes("Is it true that cats are better than dogs?"));
});

test("a text no rule fits still gets the polite request forms", () => {
  assert.deepEqual(questionFormsOf("Summarise this paragraph."), ["Can you summarise this paragraph?", "How would you summarise this paragraph?"]);
});
