import { API_PREFIX, DOCS_PATH, HAND_WRITTEN_ROUTES, appRouter } from '@image2model/api';

type ProcedureDefs = Record<string, { _def: { meta?: { openapi?: { path?: string } } } }>;
const PROCEDURES = appRouter._def.procedures as unknown as ProcedureDefs;

/** Every procedure of the router (`status.get`, …): the only `/trpc/<path>` values that become labels. */
const TRPC_PROCEDURES = new Set(Object.keys(PROCEDURES));

interface Template {
  label: string;
  pattern: RegExp;
}

/**
 * The `/api/v1` route templates, fixed words before placeholders (`/status/stream/{job_id}` wins
 * over `/status/{job_id}`, as in the router); a placeholder matches one path segment, and one
 * trailing slash is allowed, as Express allows it.
 */
const REST_TEMPLATES: Template[] = [
  ...Object.values(PROCEDURES).flatMap((procedure) => (procedure._def.meta?.openapi?.path ? [procedure._def.meta.openapi.path] : [])),
  ...Object.values(HAND_WRITTEN_ROUTES),
]
  .map((path) => `${API_PREFIX}${path}`)
  .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
  .map((label) => ({
    label,
    pattern: new RegExp(`^${label.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[a-z_]+\}/g, '[^/]+')}/?$`),
  }));

const UNMATCHED = 'unmatched';
const DOCS_LABEL = `${API_PREFIX}${DOCS_PATH}`;

/**
 * The label of a request's route: a real route's template (ids become `{job_id}`/`{file_id}`), a
 * procedure of the router, `/trpc/{batch}` for a batch of real procedures, `/api/v1/docs` and
 * `static` for files that were served; everything else is `unmatched`, whatever its status
 * (401, 429, a HEAD's 204…), so random paths cannot add series to the registry.
 */
export function routeLabel(path: string, status: number): string {
  if (path === '/metrics') return path;
  if (path.startsWith('/trpc/')) {
    const procedures = path.slice('/trpc/'.length).split(',');
    if (!procedures.every((procedure) => TRPC_PROCEDURES.has(procedure))) return UNMATCHED;
    return procedures.length > 1 ? '/trpc/{batch}' : `/trpc/${procedures[0]}`;
  }
  if (path.startsWith(`${API_PREFIX}/`)) {
    if (path === DOCS_LABEL || path.startsWith(`${DOCS_LABEL}/`)) return status < 400 ? DOCS_LABEL : UNMATCHED;
    return REST_TEMPLATES.find((template) => template.pattern.test(path))?.label ?? UNMATCHED;
  }
  // The web app's files: only what was found is one (static files are the only other routes).
  return status < 400 ? 'static' : UNMATCHED;
}
