import { router } from './trpc.js';
import { healthRouter } from './routers/health/health.router.js';
import { statusRouter } from './routers/status/status.router.js';
import { modelsRouter } from './routers/models/models.router.js';
import { adminRouter } from './routers/admin/admin.router.js';
import { logsRouter } from './routers/logs/logs.router.js';
import { jobsRouter } from './routers/jobs/jobs.router.js';

/** The one API definition: served natively on /trpc and as the spec's REST surface on /api/v1. */
export const appRouter = router({
  health: healthRouter,
  status: statusRouter,
  models: modelsRouter,
  jobs: jobsRouter,
  admin: adminRouter,
  logs: logsRouter,
});

export type AppRouter = typeof appRouter;
