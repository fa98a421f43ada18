import type { TRPCRouterRecord } from '@trpc/server';
import { cleanup } from './cleanup.js';
import { getSystemInfo } from './get-system-info.js';

export const adminRouter = { systemInfo: getSystemInfo, cleanup } satisfies TRPCRouterRecord;
