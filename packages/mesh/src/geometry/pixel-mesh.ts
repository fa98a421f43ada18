/** A triangle mesh in image space: x right and y down in image pixels, z towards the viewer in pixels. */
export interface PixelMesh {
  positions: Float64Array;
  indices: Uint32Array;
}
