/**
 * A side view is what gives depth: without one, a RangeError before any work starts (on the
 * caller's thread too, so the pool rejects before a worker is taken).
 */
export function requireSideView(images: { left?: unknown; right?: unknown }): void {
  if (!images.left && !images.right) throw new RangeError('a multiview model needs a side view: left or right (a side view is what gives depth)');
}
