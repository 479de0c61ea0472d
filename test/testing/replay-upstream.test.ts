import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import { readRouterBenchCsv } from "../../src/data/read-routerbench-csv.js";
import { createReplayUpstream } from "../../src/testing/index.js";
import { replayAnswers, replayExamples, replayPrompts } from "../fixtures/replay-examples.js";
import { sharedData } from "../helpers/shared-data.js";

function post(body: unknown): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

interface Completion {
  id: string;
  object: string;
  model: string;
  created: number;
  choices: { index: number; message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const app = createReplayUpstream({ examples: replayExamples, now: () => 1_700_000_000_000 });

describe("createReplayUpstream", () => {
  test("answers a known prompt (decoded text) with the model's recorded answer and recorded usage", async () => {
    const response = await app.request("/v1/chat/completions", post({ model: "gpt-4-1106-preview", messages: [{ role: "user", content: replayPrompts.arc }] }));
    assert.equal(response.status, 200);
    const body = (await response.json()) as Completion;
    assert.equal(body.object, "chat.completion");
    assert.equal(body.model, "gpt-4-1106-preview");
    assert.equal(body.created, 1_700_000_000);
    assert.equal(body.choices[0]?.message.content, replayAnswers.arcStrong);
    assert.equal(body.choices[0]?.message.role, "assistant");
    assert.equal(body.choices[0]?.finish_reason, "stop");
    assert.deepEqual(body.usage, { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 });
  });

  test("matches the raw RouterBench prompt too, the last user message, and text parts; estimates missing usage", async () => {
    const raw = replayExamples[1]?.prompt ?? "";
    const response = await app.request(
      "/v1/chat/completions",
      post({
        model: "mistralai/mistral-7b-chat",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "an earlier turn" },
          { role: "assistant", content: "ok" },
          { role: "user", content: [{ type: "text", text: raw }] },
        ],
      }),
    );
    const body = (await response.json()) as Completion;
    assert.equal(body.choices[0]?.message.content, replayAnswers.mbppCheap);
    assert.equal(body.usage.prompt_tokens, Math.ceil(replayPrompts.mbpp.length / 4));
    assert.equal(body.usage.completion_tokens, Math.ceil(replayAnswers.mbppCheap.length / 4));
  });

  test("streams OpenAI's chunk sequence; the usage chunk only when asked", async () => {
    for (const includeUsage of [false, true]) {
      const response = await app.request(
        "/v1/chat/completions",
        post({ model: "mistralai/mistral-7b-chat", stream: true, stream_options: { include_usage: includeUsage }, messages: [{ role: "user", content: replayPrompts.mbpp }] }),
      );
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
      const events = (await response.text()).split("\n\n").filter(Boolean);
      assert.equal(events.at(-1), "data: [DONE]");
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)) as Record<string, unknown> & { choices: { delta: { role?: string; content?: string }; finish_reason: string | null }[] });
      assert.equal(chunks[0]?.choices[0]?.delta.role, "assistant");
      const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
      assert.equal(text, replayAnswers.mbppCheap);
      const contentChunks = chunks.filter((chunk) => (chunk.choices[0]?.delta.content ?? "") !== "");
      assert.ok(contentChunks.length > 1 && contentChunks.length <= 4, "content arrives in a few pieces");
      const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason === "stop");
      assert.ok(finish);
      const last = chunks.at(-1);
      if (includeUsage) {
        assert.deepEqual(last?.choices, []);
        assert.equal((last?.usage as { total_tokens: number }).total_tokens > 0, true);
        assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage === null));
      } else {
        assert.ok(chunks.every((chunk) => !("usage" in chunk)));
      }
    }
  });

  test("an unknown prompt is a 404 unknown_prompt error, or the fallback text", async () => {
    const unknown = await app.request("/v1/chat/completions", post({ model: "gpt-4-1106-preview", messages: [{ role: "user", content: "Tell me a joke" }] }));
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, "unknown_prompt");
    const noAnswer = await app.request("/v1/chat/completions", post({ model: "mistralai/mistral-7b-chat", messages: [{ role: "user", content: replayPrompts.winogrande }] }));
    assert.equal(noAnswer.status, 404);
    assert.match(((await noAnswer.json()) as { error: { message: string } }).error.message, /winogrande\.dev\.7/);

    const lenient = createReplayUpstream({ examples: replayExamples, fallback: { text: "I don't know." } });
    const fallback = await lenient.request("/v1/chat/completions", post({ model: "gpt-4-1106-preview", messages: [{ role: "user", content: "Tell me a joke" }] }));
    assert.equal(((await fallback.json()) as Completion).choices[0]?.message.content, "I don't know.");
  });

  test("an unknown model is a 404 model_not_found; bad bodies are 400; GET /v1/models lists the fleet", async () => {
    const unknown = await app.request("/v1/chat/completions", post({ model: "gpt-9", messages: [{ role: "user", content: replayPrompts.arc }] }));
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string; param: string } }).error.code, "model_not_found");
    const bad = await app.request("/v1/chat/completions", post({ model: "gpt-4-1106-preview" }));
    assert.equal(bad.status, 400);
    const models = (await (await app.request("/v1/models")).json()) as { object: string; data: { id: string }[] };
    assert.equal(models.object, "list");
    assert.deepEqual(
      models.data.map((model) => model.id),
      ["mistralai/mistral-7b-chat", "gpt-4-1106-preview"],
    );
  });
});

const routerbench = sharedData("routerbench/winogrande_test.csv");

test("replays RouterBench's real recorded answers (CSV prompts in their raw and decoded forms)", { skip: routerbench.skip }, async () => {
  const dataset = await readRouterBenchCsv(routerbench.path);
  const replay = createReplayUpstream({ examples: dataset.examples });
  for (const example of dataset.examples.slice(0, 5)) {
    const [model, outcome] = Object.entries(example.outcomes).find(([, value]) => value.response !== undefined) ?? [];
    assert.ok(model !== undefined && outcome?.response !== undefined, `${example.id} has a recorded answer`);
    for (const content of [example.prompt, normalizePromptText(example.prompt)]) {
      const response = await replay.request("/v1/chat/completions", post({ model, messages: [{ role: "user", content }] }));
      assert.equal(response.status, 200);
      const body = (await response.json()) as Completion;
      assert.equal(body.choices[0]?.message.content, normalizePromptText(outcome.response));
    }
  }
});
