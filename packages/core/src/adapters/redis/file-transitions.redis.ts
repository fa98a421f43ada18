import type { Redis } from 'ioredis';
import { finalEventPayload, type FileTransitions, type FinalEvent } from '../../jobs/file-transitions.js';
import type { JobState } from '../../job-state.js';
import type { FileCondition, FilePatch, UpdateResult } from '../../jobs/job-store.js';
import { callRedis } from './redis-errors.js';
import { TRANSITION } from './job-store.scripts.js';
import { DEFAULT_EVENTS_MAX_LEN, jobKeys, unfedWebhookJobsKey } from './redis-keys.js';
import { decodeFile, encodeFields, pairsToHash } from './redis-records.js';

export interface RedisFileTransitionsOptions {
  /** A connected client; shared, not closed here. */
  redis: Redis;
  /** The prefix RedisJobStore and RedisJobEvents use. @default 'i2m:' */
  prefix?: string;
  /** As RedisJobEvents' `maxLen`. @default 10_000 */
  maxLen?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

interface TransitionScript {
  i2mTransition(...args: string[]): Promise<[JobState, number, string[]] | null>;
}

/** `announce` of the TRANSITION script: the stored progress above a threshold, or a final event. */
type Announce = { progressAbove: number } | { event: string };

/**
 * FileTransitions on Redis: each change and its event (and `done`, when the change finished the
 * job; and for a final one, the job's unfed-webhooks mark: see RedisUnfedJobs) is one Lua script,
 * so it is one round trip, and a follower can never see `done` before a
 * file's final event, nor a file's state without its event after a worker dies in between.
 *
 * @example
 * const transitions = new RedisFileTransitions({ redis, prefix: 'i2m:' });
 * createJobService({ …, transitions });
 */
export class RedisFileTransitions implements FileTransitions {
  private readonly scripts: TransitionScript;
  private readonly prefix: string;
  private readonly maxLen: number;
  private readonly now: () => Date;

  constructor(opts: RedisFileTransitionsOptions) {
    this.prefix = opts.prefix ?? 'i2m:';
    this.maxLen = opts.maxLen ?? DEFAULT_EVENTS_MAX_LEN;
    this.now = opts.now ?? (() => new Date());
    opts.redis.defineCommand('i2mTransition', { numberOfKeys: 5, lua: TRANSITION });
    this.scripts = opts.redis as unknown as TransitionScript;
  }

  pickUp(jobId: string, fileId: string, generation: number): Promise<UpdateResult | null> {
    // Any stored progress is above -1: the pick-up is always announced.
    return this.run(jobId, fileId, { status: 'processing' }, { generation, status: ['pending', 'processing'] }, { progressAbove: -1 });
  }

  progress(jobId: string, fileId: string, progress: number, when: FileCondition, announced: number): Promise<UpdateResult | null> {
    return this.run(jobId, fileId, { progress }, when, { progressAbove: announced });
  }

  async finish(
    jobId: string,
    fileId: string,
    patch: FilePatch,
    when: FileCondition,
    event: FinalEvent,
    opts: { after?: Promise<unknown> } = {},
  ): Promise<UpdateResult | null> {
    await opts.after; // Redis applies a change and makes it durable in one step: it waits first
    return this.run(jobId, fileId, patch, when, { event: JSON.stringify(finalEventPayload(jobId, fileId, event)) });
  }

  private async run(jobId: string, fileId: string, patch: FilePatch, when: FileCondition, announce: Announce): Promise<UpdateResult | null> {
    const { progress, ...fields } = patch;
    const keys = jobKeys(this.prefix, jobId);
    const reply = await callRedis(() =>
      this.scripts.i2mTransition(
        keys.file(fileId),
        keys.job,
        keys.tally,
        keys.events,
        unfedWebhookJobsKey(this.prefix),
        when.status ? JSON.stringify(when.status) : '',
        when.generation !== undefined ? String(when.generation) : '',
        progress !== undefined ? JSON.stringify(progress) : '',
        JSON.stringify(this.now().toISOString()),
        String(this.maxLen),
        JSON.stringify(jobId),
        'event' in announce ? 'final' : 'progress',
        'event' in announce ? announce.event : String(announce.progressAbove),
        ...encodeFields(fields),
      ),
    );
    if (!reply) return null;
    const [jobStatus, finished, flat] = reply;
    return { file: decodeFile(pairsToHash(flat)), job_status: jobStatus, job_finished: finished === 1 };
  }
}
