import { describe, expect, it } from 'vitest';
import type { Exchange } from './exchange-recorder.js';
import { createResponseValidator } from './response-validator.js';

/** A one-operation document: 200 with a body and a required header, 404; Bearer or session_id. */
const document = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'things-get',
        security: [{ BearerAuth: [] }, { SessionId: [] }],
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
        responses: {
          200: {
            description: 'ok',
            headers: { 'X-Request-ID': { required: true, schema: { type: 'string' } } },
            content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
          },
          404: { description: 'gone', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
  },
  components: {
    securitySchemes: { BearerAuth: { type: 'http', scheme: 'bearer' }, SessionId: { type: 'apiKey', in: 'query', name: 'session_id' } },
  },
};

function exchange(overrides: Partial<Exchange>): Exchange {
  return {
    method: 'GET',
    path: '/api/v1/things/1',
    requestHeaders: { authorization: 'Bearer k' },
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_1' },
    body: Buffer.from(JSON.stringify({ name: 'chair' })),
    ...overrides,
  };
}

describe('the response validator', () => {
  it('passes a conformant answer, and names its operation', async () => {
    const validator = await createResponseValidator(document);
    expect(validator.check(exchange({}))).toEqual({ operationId: 'things-get', problems: [] });
    expect(validator.check(exchange({ path: '/api/v1/things/1?session_id=s', requestHeaders: {} })).problems).toEqual([]);
  });

  it('reports an undeclared status, even an error one', async () => {
    const validator = await createResponseValidator(document);
    expect(validator.check(exchange({ status: 429, body: Buffer.from('{}') })).problems).toContainEqual(expect.stringContaining('status 429 is not declared'));
  });

  it('reports a body that breaks the schema, a wrong content type, and a missing promised header', async () => {
    const validator = await createResponseValidator(document);
    expect(validator.check(exchange({ body: Buffer.from('{"title":"chair"}') })).problems.join('\n')).toMatch(/name/);
    expect(validator.check(exchange({ headers: { 'content-type': 'text/plain', 'x-request-id': 'r' }, body: Buffer.from('chair') })).problems.join('\n')).toMatch(/media type/);
    expect(validator.check(exchange({ headers: { 'content-type': 'application/json' } })).problems.join('\n')).toMatch(/x-request-id/i);
  });

  it('reports a request the service let through but the document refuses', async () => {
    const validator = await createResponseValidator(document);
    expect(validator.check(exchange({ requestHeaders: {} })).problems).toContainEqual(expect.stringContaining("the document's security refuses the request"));
  });

  it('reports a request no operation answers', async () => {
    const validator = await createResponseValidator(document);
    expect(validator.check(exchange({ path: '/api/v1/nothing' }))).toMatchObject({ operationId: null, problems: [expect.stringContaining('no operation')] });
  });
});
