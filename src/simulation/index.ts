export { simulate, type SimulationOptions, type SimulationResult, type SimulationLine } from "./simulate.js";
export { SCENARIOS, createScenario, parseScenarioName, bestModelOn, cheapestModelOn, type ScenarioName, type Scenario } from "./scenario.js";
export { parseRouterSpecs, type SimulatedRouterSpec } from "./router-specs.js";
export { simulationTable, simulationHtml, writeSimulationReport } from "./simulation-report.js";
export type { RouterRunSummary, SimulationWindow, LatencySummary } from "./simulation-summary.js";
