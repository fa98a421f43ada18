import { execFileSync } from 'node:child_process';

/** Debian's `admesh` and `assimp` (assimp-utils): the independent readers of the STL, 3MF, OBJ and PLY files the server converts to. */
function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const HAS_MESH_READERS = installed('admesh') && installed('assimp');

/** In CI missing readers are a failure, not a skip: the format tests must run there. */
export function assertMeshReadersInCi(): void {
  if (!HAS_MESH_READERS && process.env.CI === 'true') {
    throw new Error('admesh or assimp is missing: install them with "apt-get update && apt-get install -y admesh assimp-utils"');
  }
}
