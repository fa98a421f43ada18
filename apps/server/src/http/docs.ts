import { Router, type RequestHandler } from 'express';
import { API_PREFIX, DOCS_PATH, HAND_WRITTEN_ROUTES, createOpenApiDocument, type OpenApiOptions } from '@image2model/api';
import { publicUrlOf } from './identity.js';

/** `/api/v1/openapi.json` (absolute server URL per origin) and a Swagger UI page served offline. */
export function createDocsRouter(opts: Omit<OpenApiOptions, 'baseUrl'> & { publicUrl: string | undefined }): Router {
  const documents = new Map<string, ReturnType<typeof createOpenApiDocument>>();
  const router = Router();
  router.get(HAND_WRITTEN_ROUTES.openApiDocument, (req, res) => {
    const baseUrl = `${publicUrlOf(req, opts.publicUrl)}${API_PREFIX}`;
    let document = documents.get(baseUrl);
    if (!document) {
      document = createOpenApiDocument({ ...opts, baseUrl });
      if (documents.size < 16) documents.set(baseUrl, document);
    }
    res.json(document);
  });
  router.use(DOCS_PATH, lazySwaggerUi());
  return router;
}

/** Swagger UI's page and assets, loaded on the first visit rather than at start (BENCHMARKS.md, "cold start"). */
function lazySwaggerUi(): RequestHandler {
  let loading: Promise<Router> | null = null;
  const load = async () => {
    const { default: swaggerUi } = await import('swagger-ui-express');
    const page = Router();
    const url = `${API_PREFIX}${HAND_WRITTEN_ROUTES.openApiDocument}`;
    page.use(swaggerUi.serveFiles(undefined, { swaggerOptions: { url } }), swaggerUi.setup(undefined, { customSiteTitle: 'Image2Model API', swaggerOptions: { url } }));
    return page;
  };
  return function serveSwaggerUi(req, res, next) {
    loading ??= load();
    loading.then((page) => page(req, res, next), next);
  };
}
