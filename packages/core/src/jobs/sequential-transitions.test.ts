import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsJobEvents } from '../adapters/fs/job-events.fs.js';
import { FsJobStore } from '../adapters/fs/job-store.fs.js';
import { silentLogger } from '../logger.js';
import { describeFileTransitionsContract } from './file-transitions.contract.js';
import { createSequentialTransitions } from './sequential-transitions.js';

describeFileTransitionsContract('sequential (FsJobStore, FsJobEvents)', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-transitions-'));
  const store = await FsJobStore.open({ root });
  const events = new FsJobEvents({ root });
  return {
    transitions: createSequentialTransitions({ store, events, logger: silentLogger }),
    store,
    events,
    async cleanup() {
      await events.close();
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});
