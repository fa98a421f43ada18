import type { TRPCRouterRecord } from '@trpc/server';
import { generateSingle } from './generate-single.js';
import { printReport } from './print-report.js';

export const modelsRouter = { generateSingle, printReport } satisfies TRPCRouterRecord;
