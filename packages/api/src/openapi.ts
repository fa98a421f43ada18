import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { z } from 'zod';
import { appRouter } from './root.js';
import { ErrorBodySchema, FaceLimitSchema, JobEventWireSchema, TripoOptionsSchema, UploadResponseSchema } from './schemas.js';

export interface OpenApiOptions {
  /** Absolute base of the REST API, e.g. http://localhost:8000/api/v1 */
  baseUrl: string;
  maxFiles: number;
  maxFileSizeMb: number;
  maxImagePixels: number;
  version: string;
}

const errorContent = { 'application/json': { schema: ErrorBodySchema } };
const errors = (codes: Record<number, string>) =>
  Object.fromEntries(Object.entries(codes).map(([status, description]) => [status, { description, content: errorContent }]));

const jobPath = z.object({ job_id: z.string() });
const filePath = z.object({ job_id: z.string(), file_id: z.string() });
const sessionQuery = z.object({ session_id: z.string().optional().meta({ description: "The job's session id (instead of an API key)" }) });
const readSecurity: Record<string, string[]>[] = [{ Authorization: [] }, {}];

/** The procedures' document plus the routes trpc-to-openapi cannot serve (multipart, binary, SSE). */
export function createOpenApiDocument(opts: OpenApiOptions): OpenAPIObject {
  return generateOpenApiDocument(appRouter, {
    title: 'Image2Model API',
    version: opts.version,
    description:
      'Turns 2D photos into 3D models (GLB). Authenticate with `Authorization: Bearer <key>`. Errors are always `{"detail":{"code","message","details"}}`. Every /api/v1 answer except health carries X-RateLimit-Limit / -Remaining / -Reset (the tighter of the per-minute and per-hour windows).',
    baseUrl: opts.baseUrl,
    securitySchemes: { Authorization: { type: 'http', scheme: 'bearer' } },
    paths: {
      '/upload/batch': {
        post: {
          tags: ['upload'],
          summary: 'Upload photos and start generating',
          description: `Multipart form: \`files\` (1–${opts.maxFiles} JPEG or PNG images, each at most ${opts.maxFileSizeMb} MiB and ${opts.maxImagePixels.toLocaleString('en')} pixels, recognised by content, not name) and optional \`face_limit\`, plus the optional FAL Tripo options \`texture\`, \`pbr\`, \`seed\`, \`texture_seed\`, \`texture_alignment\`, \`orientation\` and \`auto_size\` (form values: \`true\`/\`false\`, decimal integers), applied to every file, sent to FAL only when given and ignored by the local generator. Tripo's \`quad\` option is not offered: it makes FAL return an FBX model, and this service stores and serves GLB. The whole batch is rejected, storing nothing, if any file is wrong. Every file is queued at once.`,
          security: [{ Authorization: [] }],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: z.object({
                  files: z.array(z.string().meta({ format: 'binary' })),
                  face_limit: FaceLimitSchema.optional(),
                  ...TripoOptionsSchema.shape,
                }),
              },
            },
          },
          responses: {
            200: { description: 'The job, with every file pending', content: { 'application/json': { schema: UploadResponseSchema } } },
            ...errors({ 400: 'VALIDATION_ERROR', 401: 'AUTHENTICATION_REQUIRED', 413: 'FILE_TOO_LARGE', 429: 'RATE_LIMIT_EXCEEDED' }),
          },
        },
      },
      '/status/stream/{job_id}': {
        get: {
          tags: ['status'],
          summary: "Follow a job's events (Server-Sent Events)",
          description:
            'Each event is an `id:` line and a `data:` line with JSON: `progress`, `log`, `completed`, `failed` per file, and finally `done` ({type, job_id, status}), after which the server closes the stream. Late clients first receive what they missed (all, or after `Last-Event-ID`), then live events. Comment lines (`: ping`) keep idle connections open.',
          security: readSecurity,
          requestParams: { path: jobPath, query: sessionQuery, header: z.object({ 'last-event-id': z.string().optional() }) },
          responses: {
            200: { description: 'An event stream', content: { 'text/event-stream': { schema: JobEventWireSchema } } },
            ...errors({ 401: 'AUTHENTICATION_REQUIRED', 404: 'NOT_FOUND' }),
          },
        },
      },
      '/download/{job_id}/{file_id}/model': {
        get: {
          tags: ['download'],
          summary: 'Download one GLB model',
          description: 'Our stored copy as model/gltf-binary; a 302 to the provider URL only when our copy is missing. 404 until the file is completed.',
          security: readSecurity,
          requestParams: { path: filePath, query: sessionQuery },
          responses: {
            200: { description: 'The model', content: { 'model/gltf-binary': { schema: z.string().meta({ format: 'binary' }) } } },
            302: { description: 'Redirect to the provider copy' },
            ...errors({ 401: 'AUTHENTICATION_REQUIRED', 404: 'NOT_FOUND' }),
          },
        },
      },
      '/download/{job_id}/{file_id}/preview': {
        get: {
          tags: ['download'],
          summary: 'A PNG preview of one model',
          security: readSecurity,
          requestParams: { path: filePath, query: sessionQuery },
          responses: {
            200: { description: 'PNG', content: { 'image/png': { schema: z.string().meta({ format: 'binary' }) } } },
            ...errors({ 401: 'AUTHENTICATION_REQUIRED', 404: 'NOT_FOUND' }),
          },
        },
      },
      '/download/{job_id}/all': {
        get: {
          tags: ['download'],
          summary: 'Every completed model as a ZIP',
          description: 'A streamed ZIP of every completed GLB (safe, de-duplicated names) plus manifest.json (each file: name, status, face_limit, task id, error). 404 when nothing is completed.',
          security: readSecurity,
          requestParams: { path: jobPath, query: sessionQuery },
          responses: {
            200: { description: 'ZIP', content: { 'application/zip': { schema: z.string().meta({ format: 'binary' }) } } },
            ...errors({ 401: 'AUTHENTICATION_REQUIRED', 404: 'NOT_FOUND' }),
          },
        },
      },
    },
  });
}
