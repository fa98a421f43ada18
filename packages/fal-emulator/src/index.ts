export { startFalEmulator, type FalEmulator, type FalEmulatorOptions, type FalEmulatorRecords } from './emulator.js';
export type { FalPhase, FalScenario, FalScenarioName, FalScenarioSpec } from './scenarios.js';
export type { FalFile, RecordedCancel, RecordedFetch, RecordedRequest, RecordedSubmit, RecordedUpload, TripoOutput } from './state.js';
export { TRIPO_ENDPOINT, TRIPO_MULTIVIEW_ENDPOINT, type ModelMaker, type MultiviewPhotos, type TripoModel, type ValidationDetail } from './tripo-model.js';
export { DRACO_ROOT_TRANSFORM, makeDracoMultiNodeModel } from './draco-model.js';
export type { FalLog, FalStatus } from './generation.js';
