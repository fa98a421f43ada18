import type { TRPCRouterRecord } from '@trpc/server';
import { getStatus } from './get-status.js';
import { onStatusEvents } from './on-status-events.js';

export const statusRouter = { get: getStatus, onEvents: onStatusEvents } satisfies TRPCRouterRecord;
