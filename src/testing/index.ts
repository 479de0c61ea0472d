/**
 * Test helpers exported as `switchyard/testing`: a replay upstream that serves recorded model answers.
 *
 * @example
 * import { startReplayUpstream } from "switchyard/testing";
 */
export { createReplayUpstream, startReplayUpstream } from "./replay-upstream.js";
export type { ReplayUpstreamOptions, StartReplayUpstreamOptions } from "./replay-upstream.js";
export { createReplayIndex } from "./replay-index.js";
export type { RecordedAnswer, ReplayIndex } from "./replay-index.js";
export { completionBodyOf, completionEventsOf } from "./replay-completion.js";
export type { ReplayCompletionInput } from "./replay-completion.js";
export { startScriptedJudgeUpstream } from "./scripted-judge-upstream.js";
export type { ScriptedJudgeUpstream, ScriptedJudgeUpstreamOptions } from "./scripted-judge-upstream.js";
export { demoSamplePath } from "./demo-sample.js";
