/** Small hand-written utterances for guard and policy tests. */
export const toyDomains: Record<string, string[]> = {
  banking: [
    "what is my account balance", "transfer money to my savings account", "how much money is in my checking account", "send money to my brother",
    "i want to pay my bill from checking", "show my recent bank transactions", "freeze my bank account", "what is the routing number of my bank",
    "move funds between accounts", "did my paycheck deposit arrive", "how much do i have in savings", "report a suspicious bank transaction",
  ],
  travel: [
    "book a flight to paris", "find me a hotel in rome", "what is the baggage allowance on my flight", "is my flight delayed",
    "i need a rental car in denver", "do i need a visa to visit japan", "book a train ticket to berlin", "what gate does my flight leave from",
    "cancel my hotel reservation", "find cheap flights to london", "what should i pack for a trip to iceland", "check in for my flight",
  ],
  cooking: [
    "how long do i boil an egg", "give me a recipe for lasagna", "what can i substitute for butter", "how do i make pancakes",
    "what temperature to bake chicken", "how many cups in a quart", "suggest a vegetarian dinner recipe", "how do i cook rice",
    "what spices go with lamb", "how long to roast vegetables", "recipe for chocolate chip cookies", "how do i make a salad dressing",
  ],
};

export const toyOutOfDomain = [
  "who won the football game last night", "what is the meaning of life", "tell me about quantum physics", "play some jazz music",
  "what is the capital of peru", "how tall is mount everest", "write a poem about the sea", "who painted the mona lisa",
];

export const toyExamples = Object.entries(toyDomains).flatMap(([route, texts]) => texts.map((text) => ({ text, route })));
