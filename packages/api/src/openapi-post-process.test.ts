import { describe, expect, it } from 'vitest';
import type { OpenAPIObject } from 'trpc-to-openapi';
import { ERROR_STATUS } from '@image2model/core';
import { createOpenApiDocument } from './openapi.js';
import { completeOpenApiDocument } from './openapi-post-process.js';

const options = { baseUrl: 'https://models.example.org/api/v1', maxFiles: 25, maxFileSizeMb: 10, maxImagePixels: 40_000_000, version: '1.2.3' };

type Operation = NonNullable<NonNullable<NonNullable<OpenAPIObject['paths']>[string]>['get']>;

function operations(doc: OpenAPIObject): Operation[] {
  return Object.values(doc.paths ?? {}).flatMap((item) => [item.get, item.post].filter((op): op is Operation => op !== undefined));
}

describe('completing the OpenAPI document', () => {
  it('gives every error answer the one Error body, whose codes are exactly core’s', () => {
    const doc = createOpenApiDocument(options);
    const errorBody = doc.components?.schemas?.Error as { properties: { detail: { properties: { code: { enum: string[] } } } } };
    expect(errorBody.properties.detail.properties.code.enum).toEqual(Object.keys(ERROR_STATUS));
    for (const operation of operations(doc)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (Number(status) < 400 || (operation.operationId === 'health-ready' && status === '503')) continue;
        expect(response, `${operation.operationId} ${status}`).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
      }
    }
    expect(Object.keys(doc.components?.schemas ?? {}).filter((name) => name.startsWith('error.'))).toEqual([]);
  });

  it('fails on an operation it has no facts for, so a new endpoint cannot be documented by halves', () => {
    const doc = createOpenApiDocument(options);
    const extra = structuredClone(doc.paths?.['/health']?.get) as Operation;
    extra.operationId = 'photos-get';
    (doc.paths as Record<string, object>)['/photos/{id}'] = { get: extra };
    expect(() => completeOpenApiDocument(doc)).toThrow(/photos-get.*OPERATION_FACTS/);
  });

  it('fails on facts for an operation the document lacks', () => {
    const doc = createOpenApiDocument(options);
    delete (doc.paths as Record<string, object>)['/logs'];
    expect(() => completeOpenApiDocument(doc)).toThrow(/logs-get/);
  });

  it('fails on an operation without a description or a declared tag', () => {
    const undescribed = createOpenApiDocument(options);
    delete undescribed.paths?.['/health']?.get?.description;
    expect(() => completeOpenApiDocument(undescribed)).toThrow(/GET \/health: needs a summary and a description/);
    const untagged = createOpenApiDocument(options);
    const health = untagged.paths?.['/health']?.get;
    if (health) health.tags = ['probes'];
    expect(() => completeOpenApiDocument(untagged)).toThrow(/GET \/health: needs a tag/);
  });

  it('gives the idempotent operations, and only those, the Idempotency-Key header, Idempotent-Replayed on success, 409 and 422', () => {
    const doc = createOpenApiDocument(options);
    const idempotent = operations(doc).filter((operation) => JSON.stringify(operation.parameters ?? []).includes('IdempotencyKey'));
    expect(idempotent.map((operation) => operation.operationId).sort()).toEqual(['jobs-cancel', 'jobs-redeliverWebhooks', 'jobs-retry', 'models-generateSingle', 'upload-batch', 'upload-multiview']);
    for (const operation of idempotent) {
      expect(operation.responses?.['200']?.headers?.['Idempotent-Replayed'], operation.operationId).toEqual({ $ref: '#/components/headers/Idempotent-Replayed' });
      expect(operation.responses?.['409']?.description).toContain('idempotency_key_in_use');
      expect(operation.responses?.['422']?.description).toContain('IDEMPOTENCY_KEY_REUSED');
    }
    expect(doc.components?.parameters?.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', schema: { maxLength: 255 } });
    expect(operations(doc).filter((operation) => operation.responses?.['422'] !== undefined)).toHaveLength(6);
  });
});
