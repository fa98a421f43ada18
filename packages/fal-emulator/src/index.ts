export { startFalEmulator, type FalEmulator, type FalEmulatorOptions, type FalEmulatorRecords } from './emulator.js';
export type { FalPhase, FalScenario, FalScenarioName, FalScenarioSpec } from './scenarios.js';
export type { FalFile, RecordedCancel, RecordedRequest, RecordedSubmit, RecordedUpload, TripoOutput } from './state.js';
export type { ModelMaker, TripoModel, ValidationDetail } from './tripo-model.js';
export type { FalLog, FalStatus } from './generation.js';
