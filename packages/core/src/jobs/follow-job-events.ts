import type { JobEvent, JobEvents } from './job-events.js';

/**
 * The rules of following one job's events, shared by every transport: replay what the follower
 * missed (after its Last-Event-ID), then go live without a gap or a duplicate, and end after the
 * job's newest `done`. A `done` followed by later events (a generate-single after the job
 * finished) is superseded and skipped, so `done` always means "this stream is over".
 *
 * Two shapes of the same rules: `followJobEvents`, an async iterator for one follower (the tRPC
 * subscription), and `replayJobEvents` + `LiveEventFilter`, the steps it is made of, for the REST
 * fan-out, which feeds many followers from one subscription and cannot afford an iterator each.
 */

/** Admits the live events newer than what the replay wrote. */
export class LiveEventFilter {
  private caughtUp = false;

  constructor(
    private readonly events: Pick<JobEvents, 'compareIds'>,
    /** The id of the newest event the follower has, or null when it has none. */
    private readonly newestId: string | null,
  ) {}

  /**
   * True when the event is new to the follower. The live feed can lag the log (Redis delivers
   * XREAD batches after the fact), so its first events may be ones the replay held already; live
   * events arrive in order, so once one is newer, every later one is too.
   */
  admit(event: JobEvent): boolean {
    if (this.caughtUp) return true;
    if (this.newestId !== null && this.events.compareIds(event.id, this.newestId) <= 0) return false;
    this.caughtUp = true;
    return true;
  }
}

export interface JobReplay {
  /** The events to write first, superseded `done`s left out. */
  missed: JobEvent[];
  /** The job's newest event is `done`: the stream ends after the replay. */
  finished: boolean;
  /** What to let through of the live events that follow. */
  live: LiveEventFilter;
}

/** The replay step. Subscribe to the live events before calling it, so nothing falls in between. */
export async function replayJobEvents(events: JobEvents, jobId: string, lastEventId: string | null): Promise<JobReplay> {
  const stored = await events.since(jobId, lastEventId);
  const missed = stored.filter((event, index) => event.type !== 'done' || index === stored.length - 1);
  let newest = stored.at(-1) ?? null;
  // Nothing after the follower's id: either it has everything, or the id is one we do not know.
  // Either way the newest stored event is where live starts (and says whether the job is over).
  if (newest === null && lastEventId !== null) newest = (await events.since(jobId, null)).at(-1) ?? null;
  return { missed, finished: newest?.type === 'done', live: new LiveEventFilter(events, newest?.id ?? null) };
}

/** One follower's stream: the replay, then live events, ending after `done` or when `signal` aborts. */
export async function* followJobEvents(
  events: JobEvents,
  jobId: string,
  opts: { lastEventId: string | null; signal?: AbortSignal },
): AsyncGenerator<JobEvent, void, undefined> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const live = events.subscribe(jobId, { signal: stop.signal });
    const replay = await replayJobEvents(events, jobId, opts.lastEventId);
    yield* replay.missed;
    if (replay.finished) return;
    for await (const event of live) {
      if (!replay.live.admit(event)) continue;
      yield event;
      if (event.type === 'done') return;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}
