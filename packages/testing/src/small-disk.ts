import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A private tmpfs of a few MiB, so a test can fill it to the last page and empty it again. */
export interface SmallDisk {
  dir: string;
  /** Fills the disk until at most `leaveBytes` (rounded down to whole pages) stay free. */
  fill(leaveBytes?: number): Promise<void>;
  /** Deletes the filler: the space is back. */
  unfill(): Promise<void>;
  freeBytes(): Promise<number>;
  unmount(): Promise<void>;
}

/**
 * Mounts a tmpfs (needs root, as in CI). Answers the reason instead when this machine cannot
 * mount, so a test can skip with it locally and fail with it in CI.
 */
export async function mountSmallDisk(sizeMb: number): Promise<SmallDisk | { unavailable: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'i2m-small-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir]);
  } catch (error) {
    await rmdir(dir).catch(() => undefined);
    return { unavailable: `cannot mount a tmpfs (${(error as Error).message.split('\n')[0]}): the disk-full tests need root` };
  }
  const filler = join(dir, 'filler');
  const freeBytes = async () => {
    const stats = await statfs(dir);
    return stats.bavail * stats.bsize;
  };
  return {
    dir,
    freeBytes,
    async fill(leaveBytes = 0) {
      const handle = await open(filler, 'a');
      try {
        // Big steps first, then page by page: tmpfs counts whole pages.
        for (const step of [1024 * 1024, 64 * 1024, 4096]) {
          while ((await freeBytes()) - step >= leaveBytes) {
            try {
              await handle.write(Buffer.alloc(step, 1));
            } catch {
              break;
            }
          }
        }
      } finally {
        await handle.close();
      }
    },
    async unfill() {
      await rm(filler, { force: true });
    },
    async unmount() {
      await run('umount', ['-l', dir]).catch(() => undefined);
      await rmdir(dir).catch(() => undefined);
    },
  };
}
