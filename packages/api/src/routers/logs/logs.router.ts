import type { TRPCRouterRecord } from '@trpc/server';
import { getLogs } from './get-logs.js';

export const logsRouter = { get: getLogs } satisfies TRPCRouterRecord;
