import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { z } from 'zod';
import { DEFAULT_PRINT_MAX_SIDE_MM, MAX_HEIGHT_MM, MIN_HEIGHT_MM, MODEL_FORMAT_FILES, MODEL_FORMATS } from '@image2model/core/limits';
import { appRouter } from './root.js';
import { HAND_WRITTEN_ROUTES } from './paths.js';
import { ErrorBodySchema, FaceLimitSchema, TripoOptionsSchema, UploadResponseSchema, WebhookUrlSchema } from './schemas.js';
import { JobEventWireSchema } from './routers/status/on-status-events.types.js';
import { completeOpenApiDocument, SECURITY_SCHEMES } from './openapi-post-process.js';
import { WEBHOOK_EVENT_DEFS, webhooksOf } from './openapi-webhooks.js';

export interface OpenApiOptions {
  /** Absolute base of the REST API, e.g. http://localhost:8000/api/v1 */
  baseUrl: string;
  maxFiles: number;
  maxFileSizeMb: number;
  maxImagePixels: number;
  version: string;
}

/** The repository's LICENSE file (MIT): keep the two in agreement. */
const LICENSE = { name: 'MIT', identifier: 'MIT' };

const jobPath = z.object({ job_id: z.string() });
const filePath = z.object({ job_id: z.string(), file_id: z.string() });
const sessionQuery = z.object({ session_id: z.string().optional().meta({ description: "The job's session id (instead of an API key)" }) });
const binary = z.string().meta({ format: 'binary' });

const formatQuery = z.enum(MODEL_FORMATS).optional().meta({ description: 'The format to download in (default `glb`, the stored model); docs/formats.md' });
const modelQuery = sessionQuery.extend({
  format: formatQuery,
  height_mm: z
    .number()
    .min(MIN_HEIGHT_MM)
    .max(MAX_HEIGHT_MM)
    .optional()
    .meta({ description: `STL and 3MF only: the model's height in the print, in millimetres (${MIN_HEIGHT_MM}–${MAX_HEIGHT_MM}). Default: the model's own size with its longest side capped at ${DEFAULT_PRINT_MAX_SIDE_MM} mm` }),
});
/** Every format's content type, each a binary body. */
const modelContent = Object.fromEntries([...new Set(MODEL_FORMATS.map((format) => MODEL_FORMAT_FILES[format].contentType))].map((type) => [type, { schema: binary }]));

const jsonData = (component: string) => ({ type: 'string', contentMediaType: 'application/json', contentSchema: { $ref: `#/components/schemas/${component}` } });

/**
 * One event the job stream dispatches: a JobEvent with its id, or, when the stream fails part-way,
 * an `error` event with the Error body. The opening `retry:` block and `: ping` comments are not events.
 */
const SSE_EVENT_SCHEMA = {
  oneOf: [
    {
      type: 'object',
      required: ['id', 'data'],
      not: { required: ['event'] },
      properties: { id: { type: 'string', description: 'Resume key: send it back as Last-Event-ID' }, data: jsonData('JobEvent') },
    },
    { type: 'object', required: ['event', 'data'], properties: { event: { const: 'error' }, data: jsonData('Error') } },
  ],
};

/** The procedures' document plus the routes trpc-to-openapi cannot serve (multipart, binary, SSE). */
export function createOpenApiDocument(opts: OpenApiOptions): OpenAPIObject {
  const generated = generateOpenApiDocument(appRouter, {
    title: 'Image2Model API',
    version: opts.version,
    description:
      'Turns 2D photos into 3D models (GLB). Authenticate with `Authorization: Bearer <key>`; reading one job (its status, event stream and downloads) also works with its `session_id` instead. Errors are always `{"detail":{"code","message","details"}}`. Every /api/v1 answer except health carries X-RateLimit-Limit / -Remaining / -Reset (the tighter of the per-minute and per-hour windows).',
    baseUrl: opts.baseUrl,
    contact: { name: 'Image2Model', url: new URL('/', opts.baseUrl).href },
    license: LICENSE,
    securitySchemes: SECURITY_SCHEMES,
    // Error answers, the stream's events and the webhook bodies are described here; completeOpenApiDocument and webhooksOf refer to them.
    defs: { Error: ErrorBodySchema, JobEvent: JobEventWireSchema, ...WEBHOOK_EVENT_DEFS },
    paths: {
      [HAND_WRITTEN_ROUTES.uploadBatch]: {
        post: {
          operationId: 'upload-batch',
          tags: ['upload'],
          summary: 'Upload photos and start generating',
          description: `Multipart form: \`files\` (1–${opts.maxFiles} JPEG or PNG images, each at most ${opts.maxFileSizeMb} MiB and ${opts.maxImagePixels.toLocaleString('en')} pixels, recognised by content, not name) optional \`face_limit\` and \`webhook_url\` (where the job's webhook events go; default: the server's \`WEBHOOK_URL\`, if any), plus the optional FAL Tripo options \`texture\`, \`pbr\`, \`seed\`, \`texture_seed\`, \`texture_alignment\`, \`orientation\` and \`auto_size\` (form values: \`true\`/\`false\`, decimal integers), applied to every file, sent to FAL only when given and ignored by the local generator. Tripo's \`quad\` option is not offered: it makes FAL return an FBX model, and this service stores and serves GLB. The whole batch is rejected, storing nothing, if any file is wrong, or with 429 \`RATE_LIMIT_EXCEEDED\` (\`details.reason: "active_files"\`) if its files would take the key's files pending or processing past the server's limit (\`details.limit\`). Every file is queued at once. With an \`Idempotency-Key\`, the same upload (the same files, by content, name and order, and the same fields) sent again within 24 h gets the first answer back and creates no second job.`,
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: z.object({
                  files: z.array(z.string().meta({ format: 'binary' })),
                  face_limit: FaceLimitSchema.optional(),
                  webhook_url: WebhookUrlSchema.optional(),
                  ...TripoOptionsSchema.shape,
                }),
              },
            },
          },
          responses: {
            200: { description: 'The job, with every file pending', content: { 'application/json': { schema: UploadResponseSchema } } },
          },
        },
      },
      [HAND_WRITTEN_ROUTES.uploadMultiview]: {
        post: {
          operationId: 'upload-multiview',
          tags: ['upload'],
          summary: 'Upload several views of one object and start generating one model',
          description: `Multipart form: one JPEG or PNG image in each of \`front\` (required), \`left\` and \`right\` (at least one of them: a side view is what gives depth) and \`back\` (optional); front 0°, left 90° (the object's own left side), back 180°, right 270°. Each image is checked as \`POST /upload/batch\` checks one (at most ${opts.maxFileSizeMb} MiB and ${opts.maxImagePixels.toLocaleString('en')} pixels, recognised by content; an error names the view in \`details.field\`); an unknown file field, or a view sent twice, is 400 \`VALIDATION_ERROR\`. The other fields are upload/batch's (\`face_limit\`, \`webhook_url\`, the FAL Tripo options). The job has one file, \`file_001\`, made from every view (FAL's \`tripo3d/tripo/v2.5/multiview-to-3d\`, or the local generator's visual hull), named after the front and listing its \`views\`; it counts one file against the key's active-files limit. Everything else (status, events, downloads, the photo download serving the front, ZIP, generate-single regenerating from the same views, cancel, retry, webhooks) works as for any job. Nothing is stored when the upload is rejected. With an \`Idempotency-Key\`, the same upload (the same images per view, by content and name, and the same fields) sent again within 24 h gets the first answer back.`,
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: z.object({
                  front: z.string().meta({ format: 'binary', description: "The object's front" }),
                  left: z.string().meta({ format: 'binary', description: "The object's left side (90°): send it, or `right`, or both" }).optional(),
                  back: z.string().meta({ format: 'binary', description: "The object's back (180°); when absent, the front mirrored" }).optional(),
                  right: z.string().meta({ format: 'binary', description: "The object's right side (270°): send it, or `left`, or both" }).optional(),
                  face_limit: FaceLimitSchema.optional(),
                  webhook_url: WebhookUrlSchema.optional(),
                  ...TripoOptionsSchema.shape,
                }),
              },
            },
          },
          responses: {
            200: { description: 'The job, with its one file pending and its `views`', content: { 'application/json': { schema: UploadResponseSchema } } },
          },
        },
      },
      [HAND_WRITTEN_ROUTES.statusStream]: {
        get: {
          operationId: 'status-stream',
          tags: ['status'],
          summary: "Follow a job's events (Server-Sent Events)",
          description:
            'A `text/event-stream`: each event is an `id:` line and a `data:` line holding one JSON event, as the `JobEvent` schema (`#/components/schemas/JobEvent`) describes: `progress`, `log`, `completed`, `failed` per file, and finally `done` ({type, job_id, status}), after which the server closes the stream. Should the stream fail part-way (e.g. its store becomes unavailable), an `event: error` line with the `Error` body as its data ends it. Late clients first receive what they missed (all, or after `Last-Event-ID`), then live events. Comment lines (`: ping`) keep idle connections open. Who may follow a job, and the errors, are those of `GET /status/{job_id}`.',
          requestParams: {
            path: jobPath,
            query: sessionQuery.extend({ last_event_id: z.string().optional().meta({ description: 'As the Last-Event-ID header, for clients that cannot send headers' }) }),
            header: z.object({ 'last-event-id': z.string().optional().meta({ description: 'Resume after this event id' }) }),
          },
          responses: {
            200: {
              description: 'The event stream: `retry:`, then `id:` + `data:` lines (each data a JSON `JobEvent`) and `: ping` comments, until `done`',
              content: {
                'text/event-stream': {
                  schema: z.string().meta({ description: 'Server-Sent Events; each `data:` line is a JSON JobEvent (#/components/schemas/JobEvent)' }),
                  // One event, as OpenAPI 3.2's itemSchema will say it (3.1 has no place for it but an extension).
                  'x-itemSchema': SSE_EVENT_SCHEMA,
                },
              },
            },
          },
        },
      },
      [HAND_WRITTEN_ROUTES.downloadModel]: {
        get: {
          operationId: 'download-model',
          tags: ['download'],
          summary: 'Download one model (GLB, STL, 3MF, OBJ, PLY or USDZ)',
          description: `Default \`format=glb\`: our stored copy as model/gltf-binary; a 302 to the provider URL only when our copy is missing. Other formats are converted from our copy on the server: \`stl\` (model/stl) and \`3mf\` (model/3mf) Z-up in millimetres, welded closed, scaled by \`height_mm\`; \`obj\` (application/zip: the .obj, its .mtl and the texture), \`ply\` (application/octet-stream) and \`usdz\` (model/vnd.usdz+zip) in the model's own metres. A default-size conversion is stored after the first request and deleted with the job. 400 VALIDATION_ERROR for an unknown format (\`details.formats\` lists them) or a \`height_mm\` out of range or with another format. 404 until the file is completed.`,
          requestParams: { path: filePath, query: modelQuery },
          responses: {
            200: { description: 'The model, in the format asked for; Content-Disposition names it with its extension', content: modelContent },
            302: { description: 'Redirect to the provider copy' },
          },
        },
      },
      [HAND_WRITTEN_ROUTES.downloadPreview]: {
        get: {
          operationId: 'download-preview',
          tags: ['download'],
          summary: 'A PNG preview of one model',
          description: 'The preview image the provider made for a completed file, when it made one (the file\'s `preview_url` is then set). 404 otherwise.',
          requestParams: { path: filePath, query: sessionQuery },
          responses: {
            200: { description: 'PNG', content: { 'image/png': { schema: binary } } },
          },
        },
      },
      [HAND_WRITTEN_ROUTES.downloadPhoto]: {
        get: {
          operationId: 'download-photo',
          tags: ['download'],
          summary: 'The uploaded photo of one file',
          description: 'The photo exactly as it was uploaded (JPEG or PNG), from the upload on, whatever the file\'s status: a page opened from a batch link in another browser shows it beside the model. 404 when the file does not exist.',
          requestParams: { path: filePath, query: sessionQuery },
          responses: {
            200: { description: 'The photo', content: { 'image/jpeg': { schema: binary }, 'image/png': { schema: binary } } },
          },
        },
      },
      [HAND_WRITTEN_ROUTES.downloadAll]: {
        get: {
          operationId: 'download-all',
          tags: ['download'],
          summary: 'Every completed model as a ZIP',
          description: 'A streamed ZIP of every completed model (safe, de-duplicated names) in `format` (default `glb`; STL and 3MF at the default size; OBJ as one folder per model with its .obj, .mtl and texture) plus manifest.json (the format, and each file: name, status, face_limit, task id, error, warnings, shape). 400 VALIDATION_ERROR for an unknown format. 404 when nothing is completed.',
          requestParams: { path: jobPath, query: sessionQuery.extend({ format: formatQuery }) },
          responses: {
            200: { description: 'ZIP', content: { 'application/zip': { schema: binary } } },
          },
        },
      },
    },
  });
  return { ...completeOpenApiDocument(generated), webhooks: webhooksOf() };
}
