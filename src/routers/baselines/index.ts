export { FixedChoiceRouter, cheapestRouterTrainer, bestSingleRouterTrainer } from "./fixed-choice-router.js";
export { RandomRouter, randomRouterTrainer } from "./random-router.js";
export { OracleRouter, oracleRouterTrainer, createOracleRouter } from "./oracle-router.js";
