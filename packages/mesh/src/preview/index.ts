/**
 * `@image2model/mesh/preview`: the software renderer behind every model's preview PNG, and a GLB
 * reader for it, for tools that render a model from its bytes (scripts/render-docs.ts).
 */
export { renderPreview, type PreviewMesh, type RenderPreviewOptions } from './render-preview.js';
export { readGlbAsPreviewMesh } from './read-glb.js';
