/**
 * A Gaussian mixture over RGB as OpenCV's GrabCut leaves it in its 1×65 model Mat: 5 weights,
 * then 5 means (3 each), then 5 covariances (3×3 each, row-major). Evaluated here, in JS, so the
 * full-resolution edge refinement and the confidence can ask it about any pixel.
 */
export interface ColourModel {
  /** The mixture's density at (r, g, b), up to the constant (2π)^(-3/2) that both models share. */
  density(r: number, g: number, b: number): number;
}

const COMPONENTS = 5;
/** Added to a covariance's diagonal when it is (nearly) singular, as GrabCut does itself. */
const WHITE_NOISE = 0.01;

export function colourModelFrom(parameters: Float64Array): ColourModel {
  const components = Array.from({ length: COMPONENTS }, (_, c) => component(parameters, c)).filter((part) => part.weight > 0);
  return {
    density(r, g, b) {
      let sum = 0;
      for (const { weight, mean, inverse, scale } of components) {
        const dr = r - mean[0]!, dg = g - mean[1]!, db = b - mean[2]!;
        const mahalanobis =
          dr * (inverse[0]! * dr + inverse[1]! * dg + inverse[2]! * db) +
          dg * (inverse[3]! * dr + inverse[4]! * dg + inverse[5]! * db) +
          db * (inverse[6]! * dr + inverse[7]! * dg + inverse[8]! * db);
        sum += weight * scale * Math.exp(-0.5 * mahalanobis);
      }
      return sum;
    },
  };
}

function component(parameters: Float64Array, c: number): { weight: number; mean: Float64Array; inverse: Float64Array; scale: number } {
  const weight = parameters[c]!;
  const mean = parameters.subarray(COMPONENTS + 3 * c, COMPONENTS + 3 * c + 3);
  const cov = Float64Array.from(parameters.subarray(4 * COMPONENTS + 9 * c, 4 * COMPONENTS + 9 * c + 9));
  let det = determinant(cov);
  if (det <= Number.EPSILON) {
    cov[0]! += WHITE_NOISE;
    cov[4]! += WHITE_NOISE;
    cov[8]! += WHITE_NOISE;
    det = determinant(cov);
  }
  const [a, b, cc, d, e, f, g, h, i] = cov as unknown as number[];
  const inverse = Float64Array.of(e! * i! - f! * h!, cc! * h! - b! * i!, b! * f! - cc! * e!, f! * g! - d! * i!, a! * i! - cc! * g!, cc! * d! - a! * f!, d! * h! - e! * g!, b! * g! - a! * h!, a! * e! - b! * d!).map((value) => value / det);
  return { weight, mean, inverse, scale: 1 / Math.sqrt(det) };
}

function determinant(m: Float64Array): number {
  return m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
}
