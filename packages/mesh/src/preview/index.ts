/**
 * `@image2model/mesh/preview`: the software renderer behind every model's preview PNG, for tools
 * that draw a model they read with `readModel` from @image2model/formats (scripts/render-docs.ts).
 */
export { renderPreview, type PreviewMesh, type RenderPreviewOptions } from './render-preview.js';
