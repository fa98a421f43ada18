import { tracked } from '@trpc/server';
import type { JobEvent, JobEvents } from '@image2model/core';
import { toWireEvent } from '../../wire.js';

export interface StreamJobEventsOptions {
  events: JobEvents;
  jobId: string;
  sessionId: string;
  publicUrl: string;
  lastEventId: string | null;
  signal: AbortSignal | undefined;
}

/**
 * Replays what the client missed, then follows live events, and ends after the job's newest
 * `done`. A `done` followed by later events (a generate-single after the job finished) is
 * superseded and skipped, so `done` always means "this stream is over".
 */
export async function* streamJobEvents(opts: StreamJobEventsOptions) {
  const { events, jobId } = opts;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const emit = (event: JobEvent) => tracked(event.id, toWireEvent(event, opts.sessionId, opts.publicUrl));
  try {
    // Subscribe before replaying, so nothing falls between the replay and going live.
    const live = events.subscribe(jobId, { signal: stop.signal });
    const missed = await events.since(jobId, opts.lastEventId);
    for (const [index, event] of missed.entries()) {
      if (event.type === 'done' && index < missed.length - 1) continue;
      yield emit(event);
    }
    let newest = missed.at(-1) ?? null;
    if (newest === null && opts.lastEventId !== null) newest = (await events.since(jobId, null)).at(-1) ?? null;
    if (newest?.type === 'done') return;
    for await (const event of live) {
      if (newest !== null && events.compareIds(event.id, newest.id) <= 0) continue;
      newest = event;
      yield emit(event);
      if (event.type === 'done') return;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}
