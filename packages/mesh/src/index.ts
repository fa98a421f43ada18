export { generateModel, type GenerateResult, type GenerateStats } from './generate-model.js';
export type { GenerateOptions, InflationMethod } from './generate-options.js';
export { InvalidImageError } from './image/invalid-image-error.js';
export { DEFAULT_FACE_LIMIT, MAX_FACE_LIMIT, MAX_INPUT_PIXELS, MIN_FACE_LIMIT, MIN_FACE_LIMIT_FOR_TOPOLOGY } from './limits.js';
export { createGeneratorPool, type GeneratorPool, type GeneratorPoolOptions } from './pool/create-generator-pool.js';
