export { startFalEmulator, type FalEmulator, type FalEmulatorOptions, type FalEmulatorRecords } from './emulator.js';
export { SCENARIO_NAMES, type FalPhase, type FalScenario, type FalScenarioName, type FalScenarioSpec } from './scenarios.js';
export type { FalFile, RecordedRequest, RecordedSubmit, RecordedUpload, TripoOutput } from './state.js';
export { TRIPO_ENDPOINT } from './queue-routes.js';
export { makeTripoModel, validateTripoInput, type ModelMaker, type TripoModel, type ValidationDetail } from './tripo-model.js';
export type { FalLog, FalStatus } from './generation.js';
