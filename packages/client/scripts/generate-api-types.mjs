#!/usr/bin/env node
/**
 * Writes src/generated/api-types.ts: the router's procedures with their input and output types
 * written out, plus the few wire types the client needs, read from @image2model/api.
 *
 * Why: `AppRouter` names the server's `Context` and trpc-to-openapi's `OpenApiMeta`, so a bundled
 * declaration that mentions it would need the server's packages (and Node's types) to type-check.
 * The procedures' inputs and outputs are plain data, so they are printed here in full, and the
 * client builds its router type from them. src/api-types.int.test.ts proves the two agree.
 * The error table's values are written out too (core's statuses, api's tRPC-code reversal), and the
 * face-limit range: the published client cannot import the private packages at run time, and must
 * not keep a copy.
 *
 * Usage: node scripts/generate-api-types.mjs [--check]   (--check: exit 1 if the file is stale)
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { ERROR_STATUS } from '@image2model/core';
import { MAX_FACE_LIMIT, MIN_FACE_LIMIT } from '@image2model/core/limits';
import { APP_CODE_BY_TRPC_CODE } from '@image2model/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'src', 'generated', 'api-types.ts');
const probePath = join(root, 'src', 'generated', '__probe.ts');

const probe = `
import type { AppRouter, UploadResponseSchema, ErrorBodySchema, WebhookEventSchema } from '@image2model/api';
import type { ErrorCode } from '@image2model/core';
import type { z } from 'zod';
export type Record_ = AppRouter['_def']['record'];
export type ErrorShape_ = AppRouter['_def']['_config']['$types']['errorShape'];
export type UploadResponse_ = z.output<typeof UploadResponseSchema>;
export type ErrorBody_ = z.output<typeof ErrorBodySchema>;
export type WebhookEvent_ = z.output<typeof WebhookEventSchema>;
export type ServerErrorCode_ = ErrorCode;
`;

const options = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  types: [],
};
const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
const fileExists = host.fileExists.bind(host);
host.readFile = (file) => (file === probePath ? probe : readFile(file));
host.fileExists = (file) => file === probePath || fileExists(file);
const program = ts.createProgram({ rootNames: [probePath], options, host });
const checker = program.getTypeChecker();
const source = program.getSourceFile(probePath);
if (!source) throw new Error('probe not compiled');

const diagnostics = ts.getPreEmitDiagnostics(program, source);
if (diagnostics.length > 0) {
  throw new Error(ts.formatDiagnosticsWithColorAndContext(diagnostics, { ...host, getNewLine: () => '\n', getCanonicalFileName: (f) => f, getCurrentDirectory: () => root }));
}

const aliases = new Map();
ts.forEachChild(source, (node) => {
  if (ts.isTypeAliasDeclaration(node)) aliases.set(node.name.text, checker.getTypeAtLocation(node.name));
});
const FLAGS = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType | ts.TypeFormatFlags.InTypeAlias;
const print = (type) => {
  const text = checker.typeToString(type, source, FLAGS);
  if (/import\(|\bTRPC|Tracked|OpenApi|Context/.test(text)) throw new Error(`a printed type names a server type: ${text}`);
  return text;
};
const prop = (type, name) => {
  const symbol = type.getProperty(name);
  if (!symbol) throw new Error(`no property ${name} on ${checker.typeToString(type)}`);
  return checker.getTypeOfSymbolAtLocation(symbol, source);
};

/** tRPC's numeric error code is an alias of its own: name it rather than print its internals. */
function printErrorShape(shape) {
  const names = checker.getPropertiesOfType(shape).map((p) => p.name).sort().join(',');
  if (names !== 'code,data,message') throw new Error(`unexpected error shape properties: ${names}`);
  return `{ message: ${print(prop(shape, 'message'))}; code: TRPC_ERROR_CODE_NUMBER; data: ${print(prop(shape, 'data'))} }`;
}

/** A flat table of code-like strings or numbers as a TypeScript object literal, one entry a line. */
function printTable(table) {
  const lines = Object.entries(table).map(([key, value]) => `  ${key}: ${typeof value === 'string' ? `'${value}'` : value},`);
  return `{\n${lines.join('\n')}\n}`;
}

const KIND = { query: 'TRPCQueryProcedure', mutation: 'TRPCMutationProcedure', subscription: 'TRPCSubscriptionProcedure' };

/** A subscription's output is AsyncIterable<TrackedData<T>, TReturn, TNext>: print T, and rebuild the rest here. */
function printOutput(kind, output) {
  if (kind !== 'subscription') return print(output);
  const [tracked, ...rest] = checker.getTypeArguments(output);
  if (!tracked || output.symbol?.name !== 'AsyncIterable') throw new Error(`unexpected subscription output ${checker.typeToString(output)}`);
  return `AsyncIterable<${[`TrackedData<${print(prop(tracked, 'data'))}>`, ...rest.map(print)].join(', ')}>`;
}

/** The mutations whose input takes `idempotency_key`: the client sends each with a key and may retry it. */
const idempotentMutations = [];

function printRecord(type, indent, prefix = '') {
  const pad = '  '.repeat(indent);
  const lines = ['{'];
  for (const symbol of checker.getPropertiesOfType(type)) {
    const value = checker.getTypeOfSymbolAtLocation(symbol, source);
    const def = value.getProperty('_def') ? prop(value, '_def') : null;
    if (def && def.getProperty('procedure')) {
      const kind = prop(def, 'type');
      const kindName = kind.isStringLiteral() ? kind.value : null;
      if (!kindName || !(kindName in KIND)) throw new Error(`unknown procedure type on ${symbol.name}`);
      const types = prop(def, '$types');
      const inputType = prop(types, 'input');
      if (kindName === 'mutation' && inputType.getProperty('idempotency_key')) idempotentMutations.push(`${prefix}${symbol.name}`);
      const input = print(inputType);
      const output = printOutput(kindName, prop(types, 'output'));
      lines.push(`${pad}  ${symbol.name}: ${KIND[kindName]}<{ input: ${input}; output: ${output}; meta: object; errorShape: ApiErrorShape }>;`);
    } else {
      lines.push(`${pad}  ${symbol.name}: ${printRecord(value, indent + 1, `${prefix}${symbol.name}.`)};`);
    }
  }
  lines.push(`${pad}}`);
  return lines.join('\n');
}

const routerRecord = printRecord(aliases.get('Record_'), 0);

const text = `// Generated by scripts/generate-api-types.mjs from @image2model/api: do not edit.
// The router's procedures with plain input and output types, so the published declaration needs
// none of the server's packages. src/api-types.int.test.ts checks that they equal AppRouter's.
import type { TRPC_ERROR_CODE_NUMBER, TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from '@trpc/server';

/** A tracked event as the subscription delivers it: its id (the resume key) and its data. */
export interface TrackedData<TData> {
  id: string;
  data: TData;
}

/** The spec's error codes, as the server sends them. */
export type ServerErrorCode = ${print(aliases.get('ServerErrorCode_'))};

/** Each server error code with its HTTP status (core's ERROR_STATUS). */
export const SERVER_ERROR_STATUS = ${printTable(ERROR_STATUS)} as const;

/** tRPC's error code → the server's, for errors raised without one of ours (the API's APP_CODE_BY_TRPC_CODE). */
export const SERVER_CODE_BY_TRPC_CODE: Readonly<Record<string, ServerErrorCode>> = ${printTable(APP_CODE_BY_TRPC_CODE)};

/** The range of \`face_limit\` (core's limits). */
export const MIN_FACE_LIMIT = ${MIN_FACE_LIMIT};
export const MAX_FACE_LIMIT = ${MAX_FACE_LIMIT};

/** The shape of errors on /trpc: \`data.appCode\`, \`data.httpStatus\` and \`data.details\` carry the spec's error. */
export type ApiErrorShape = ${printErrorShape(aliases.get('ErrorShape_'))};

/** The body of \`POST /api/v1/upload/batch\`. */
export type UploadResponse = ${print(aliases.get('UploadResponse_'))};

/** Every REST error body: \`{"detail": {code, message, details}}\`. */
export type ErrorBody = ${print(aliases.get('ErrorBody_'))};

/** A webhook's body, by \`type\`: \`file.completed\`, \`file.failed\`, \`file.cancelled\` or \`job.finished\`. */
export type WebhookEvent = ${print(aliases.get('WebhookEvent_'))};

export type AppRouterRecord = ${routerRecord};

/** The mutations that take an \`idempotency_key\` (the server's Idempotency-Key): the client gives each call a fresh one and retries it with the same. */
export const IDEMPOTENT_MUTATIONS: readonly string[] = [${idempotentMutations.map((path) => `'${path}'`).join(', ')}];

/** The server's router as the client sees it: procedures, inputs and outputs, without server internals. */
export type ClientRouter = TRPCBuiltRouter<{ ctx: object; meta: object; errorShape: ApiErrorShape; transformer: true }, AppRouterRecord>;
`;

if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== text) {
    process.stderr.write(`${target} is stale: run npm run generate -w @image2model/client\n`);
    process.exit(1);
  }
} else {
  mkdirSync(dirname(target), { recursive: true });
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== text) writeFileSync(target, text);
}
