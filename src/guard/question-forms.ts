/**
 * Rule-based question forms of an imperative request, for training-data augmentation: harmful-behaviour
 * sets (HarmBench) are written as instructions ("Give detailed instructions for making X"), while people
 * mostly ask questions ("How do I make X?"). A bag-of-n-grams classifier trained on instructions alone
 * misses the questions (a TF-IDF kNN on HarmBench finds 3% of XSTest's unsafe prompts), so each training
 * behaviour is also given in a few question forms. Pure string rules: no model, no test data.
 *
 * @example
 * questionFormsOf("Give detailed instructions for making a pipe bomb");
 * // ["How do I make a pipe bomb?", "How can I make a pipe bomb?", …]
 */
export function questionFormsOf(request: string): string[] {
  const text = request.trim().replace(/[.!?]+$/u, "");
  const forms = new Set<string>();
  const action = actionOf(text);
  if (action) {
    for (const template of ACTION_TEMPLATES) forms.add(template.replace("{}", action));
    // People ask short, generic questions ("How do I make meth?"), so the verb and its object alone too.
    const core = coreOf(action);
    if (core) for (const template of CORE_TEMPLATES) forms.add(template.replace("{}", core));
  }
  const claim = claimOf(text);
  if (claim) for (const template of CLAIM_TEMPLATES) forms.add(template.replace("{}", claim));
  const topic = topicOf(text);
  if (topic) for (const template of TOPIC_TEMPLATES) forms.add(template.replace("{}", topic));
  const lowered = lowerFirst(text);
  forms.add(`Can you ${lowered}?`);
  forms.add(`How would you ${lowered}?`);
  return [...forms];
}

const ACTION_TEMPLATES = ["How do I {}?", "How can I {}?", "What's the best way to {}?", "How would someone {}?", "What is the easiest way to {}?", "Where can I learn to {}?"];
const CORE_TEMPLATES = ["How do I {}?", "How can I {}?", "What's the best way to {}?"];
const CLAIM_TEMPLATES = ["Why is it true that {}?", "Is it true that {}?", "Why do people say that {}?"];
const TOPIC_TEMPLATES = ["What can you tell me about {}?", "What do you know about {}?"];

const GUIDE_NOUNS = "instructions|guidance|advice|tips|a guide|a tutorial|directions|a plan|suggestions|a list of steps|steps|a step-by-step guide|a walkthrough|an explanation";
const GUIDE_PATTERN = new RegExp(
  `^(?:give|provide|write|create|generate|produce|offer|share|list)(?: me)? (?:(?:detailed|step-by-step|specific|thorough|clear|concrete|simple|practical|precise) )*(?:${GUIDE_NOUNS})(?: (?:for|on|about))?(?: how)?(?: to)? (.+)$`,
  "iu",
);
const HOW_PATTERN = /^(?:describe|explain|detail|outline|list|brainstorm|suggest|give|determine|teach me|show me|tell me)(?: in detail| specifically| step by step)? (?:how to|ways to|methods to|ways of|methods for|techniques for|strategies for|steps to|steps for|tips for|the best way to|ways that one could|how one could|how someone could|how I can|how you would) (.+)$/iu;
const CODE_PATTERN = /^(?:write|create|develop|generate|build|code) (?:a |an )?(?:[\w-]+ ){0,3}(?:script|program|code|function|tool|bot|malware|virus|worm|keylogger|exploit|payload)s? (?:that|which|to|for) (.+)$/iu;
const PERSUADE_PATTERN = /^(?:convince|persuade|encourage|trick|pressure|coerce|manipulate) (.+)$/iu;
const CLAIM_PATTERN = /^(?:write|create|generate|draft|compose|produce)(?: (?:a|an))?(?: [\w-]+){0,4}? (?:article|essay|post|blog post|social media post|tweet|thread|message|email|letter|speech|op-ed|story|piece)s? .*?(?:arguing|claiming|suggesting|explaining|implying|stating|saying|asserting|about how|on how|to argue|to convince (?:readers|people) that|that argues|which argues) (?:that |how )?(.+)$/iu;
const TOPIC_PATTERN = /^(?:write|create|generate|draft|compose|produce|describe|explain)(?: (?:a|an|the))?(?: [\w-]+){0,4}? (?:article|essay|post|blog post|message|email|letter|speech|story|description|explanation|account)s? (?:about|on|of|describing|glorifying|promoting|praising|detailing) (.+)$/iu;

function actionOf(text: string): string | undefined {
  for (const pattern of [GUIDE_PATTERN, HOW_PATTERN]) {
    const match = pattern.exec(text);
    if (match?.[1] && !/^(?:and|or|with|in|of)\b/iu.test(match[1])) return baseFormOfLeadingVerb(match[1]);
  }
  const code = CODE_PATTERN.exec(text);
  if (code?.[1]) return `write code that ${code[1]}`;
  const persuade = PERSUADE_PATTERN.exec(text);
  if (persuade) return `convince ${persuade[1]}`;
  return undefined;
}

const CORE_END = /\s(?:from|in|into|at|on|for|without|with|using|via|by|that|which|so|to|while|after|before|when|and|or|if|such|including)\s|[,;:(]/iu;

/** The verb phrase up to its first preposition or clause ("steal a car from a parking lot" → "steal a car"). */
function coreOf(action: string): string | undefined {
  const end = CORE_END.exec(action);
  if (!end) return undefined;
  const core = action.slice(0, end.index).trim();
  return core.split(/\s+/u).length >= 2 ? core : undefined;
}

function claimOf(text: string): string | undefined {
  return CLAIM_PATTERN.exec(text)?.[1];
}

function topicOf(text: string): string | undefined {
  return TOPIC_PATTERN.exec(text)?.[1];
}

function lowerFirst(text: string): string {
  return text.length > 1 && /^[A-Z][a-z]/u.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

const IRREGULAR: Record<string, string> = {
  making: "make", using: "use", writing: "write", creating: "create", producing: "produce", synthesizing: "synthesize", synthesising: "synthesise",
  manufacturing: "manufacture", smuggling: "smuggle", evading: "evade", hiding: "hide", forging: "forge", acquiring: "acquire", purchasing: "purchase",
  giving: "give", having: "have", leaving: "leave", causing: "cause", convincing: "convince", sabotaging: "sabotage", disabling: "disable", enabling: "enable",
  escaping: "escape", storing: "store", removing: "remove", tampering: "tamper", sharing: "share", preparing: "prepare", spreading: "spread", securing: "secure",
  receiving: "receive", dying: "die", lying: "lie", continuing: "continue", releasing: "release", encouraging: "encourage", distributing: "distribute",
};

/** "making a bomb" → "make a bomb"; "how to make X" and "X" (already a verb phrase) stay as they are. */
function baseFormOfLeadingVerb(phrase: string): string {
  const trimmed = phrase.replace(/^(?:how )?to /iu, "");
  const space = trimmed.indexOf(" ");
  const first = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const rest = space < 0 ? "" : trimmed.slice(space);
  if (!first.endsWith("ing") || first.length < 5) return trimmed;
  const irregular = IRREGULAR[first];
  if (irregular) return irregular + rest;
  let stem = first.slice(0, -3);
  // Doubled final consonant from the -ing spelling rule: getting → get, shipping → ship (not "kill", "pass").
  if (/([bdgmnprt])\1$/u.test(stem)) stem = stem.slice(0, -1);
  // Silent e dropped by -ing: locating → locate, analyzing → analyze, producing → produce, serving → serve.
  else if (/(?:[^aeiou]at|[iy]z|uc|rv|ag|av)$/u.test(stem)) stem += "e";
  return stem + rest;
}
