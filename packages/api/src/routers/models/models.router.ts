import type { TRPCRouterRecord } from '@trpc/server';
import { generateSingle } from './generate-single.js';

export const modelsRouter = { generateSingle } satisfies TRPCRouterRecord;
