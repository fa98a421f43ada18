import type { TRPCRouterRecord } from '@trpc/server';
import { getHealth } from './get-health.js';
import { getReadiness } from './get-readiness.js';

export const healthRouter = { get: getHealth, ready: getReadiness } satisfies TRPCRouterRecord;
