/** The input is not an image we can read (corrupt, unsupported, or over the pixel limit): the caller's fault, not ours. */
export class InvalidImageError extends Error {
  override readonly name = 'InvalidImageError';
}
