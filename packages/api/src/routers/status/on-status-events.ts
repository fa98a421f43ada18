import { tracked } from '@trpc/server';
import { followJobEvents } from '@image2model/core';
import { readerProcedure } from '../../trpc.js';
import { OnStatusEventsInputSchema } from './on-status-events.types.js';
import { accessFor, toWireEvent } from '../../wire.js';

/**
 * The job's events as a subscription (SSE on /trpc). `GET /api/v1/status/stream/{job_id}` does not
 * iterate this procedure: its fan-out (apps/server/src/http/event-fanout.ts) feeds many followers
 * from one subscription, but both follow core's replay-then-live rules (`followJobEvents`), so the
 * two transports send the same events. Visibility is checked before the first event, so an unknown
 * job is a plain 404.
 */
export const onStatusEvents = readerProcedure
  .input(OnStatusEventsInputSchema)
  .subscription(async ({ ctx, input, signal }) => {
    const { job } = await ctx.services.jobs.getJob(input.job_id, accessFor(ctx, input.session_id));
    const events = followJobEvents(ctx.services.events, job.job_id, { lastEventId: input.lastEventId ?? null, signal });
    return (async function* () {
      for await (const event of events) yield tracked(event.id, toWireEvent(event, job.session_id, ctx.publicUrl));
    })();
  });
