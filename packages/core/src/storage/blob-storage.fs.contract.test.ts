import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsBlobStorage } from './blob-storage.fs.js';
import { blobStorageContract } from './blob-storage.contract.js';

blobStorageContract('FsBlobStorage (the data directory)', async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'i2m-blob-'));
  const root = path.join(base, 'data');
  return {
    storage: new FsBlobStorage({ root }),
    async listKeys() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
        .sort();
    },
    copiesLocalFiles: false,
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
});
