/**
 * The preview's lights, in view space (x right, y up, z towards the viewer). They turn with the
 * camera, so every yaw of a turntable is lit alike and only the model appears to rotate.
 */
export interface PreviewLighting {
  /** Unit vector towards the key light. */
  key: [number, number, number];
  /** Unit half-vector between the key light and the viewer, for the Blinn–Phong highlight. */
  half: [number, number, number];
  keyIntensity: number;
  /** Ambient from above and from below: a soft sky/ground fill so shadowed sides keep their colour. */
  skyAmbient: number;
  groundAmbient: number;
  /** White highlight strength; matte like the generator's roughness ~0.85 material, but not dead. */
  specular: number;
}

/** Key light high on the viewer's left and in front, as in a studio product shot. */
export const DEFAULT_LIGHTING: PreviewLighting = createLighting({
  keyDirection: [-0.45, 0.6, 0.66],
  keyIntensity: 0.78,
  skyAmbient: 0.36,
  groundAmbient: 0.24,
  specular: 0.22,
});

function createLighting(options: {
  keyDirection: [number, number, number];
  keyIntensity: number;
  skyAmbient: number;
  groundAmbient: number;
  specular: number;
}): PreviewLighting {
  const key = normalize(options.keyDirection);
  const half = normalize([key[0], key[1], key[2] + 1]);
  return { ...options, key, half };
}

function normalize([x, y, z]: [number, number, number]): [number, number, number] {
  const length = Math.hypot(x, y, z);
  return [x / length, y / length, z / length];
}
