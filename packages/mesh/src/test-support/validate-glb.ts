import { validateBytes } from 'gltf-validator';

export interface GlbValidation {
  errors: number;
  warnings: number;
  /** Errors and warnings as "CODE: message", for assertion messages. */
  problems: string[];
}

/** Runs the Khronos glTF validator on GLB bytes. */
export async function validateGlb(glb: Uint8Array): Promise<GlbValidation> {
  const { issues } = await validateBytes(new Uint8Array(glb), { uri: 'model.glb', maxIssues: 100 });
  return {
    errors: issues.numErrors,
    warnings: issues.numWarnings,
    // Severity 0 is an error, 1 a warning; infos and hints are not problems.
    problems: issues.messages.filter((m) => m.severity <= 1).map((m) => `${m.code}: ${m.message} (${m.pointer ?? ''})`),
  };
}
