import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiBody, ApiExtension, ApiHeader, ApiQuery, ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
// @Type() of nested arrays is read from class-transformer's storage (else an array of objects is `$ref: Array`).
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { TIME_SCHEMA_CONVERTERS } from '@opsplane/contracts';
import { ErrorCode, httpStatusOf } from '@opsplane/errors';
import generatedViews from './view-schemas.json';

type Schema = Record<string, unknown>;
type SchemaMap = Record<string, Schema>;
let cached: SchemaMap | undefined;

/** JSON schemas of every class-validator DTO: the same classes that validate requests describe them. */
export function dtoSchemas(): SchemaMap {
  cached ??= validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    additionalConverters: TIME_SCHEMA_CONVERTERS,
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as SchemaMap;
  return cached;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Documents a JSON body by its DTO class. */
export function ApiBodyOf(cls: { name: string }) {
  return ApiBody({ schema: ref(cls.name) });
}

/** Documents the Idempotency-Key header of a create. */
export function IdempotencyKeyHeader() {
  return ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Makes the create safe to retry: the same key and body within 24 h answer the first answer again and write nothing; the same key with another body is 409. 1 to 255 visible ASCII characters, e.g. a UUID.',
    schema: { type: 'string', maxLength: 255 },
  });
}

/** Documents each query parameter of a query DTO class. */
export function ApiQueryOf(cls: { name: string }) {
  // A class that only inherits its fields (e.g. a page query) has no schema of its own: use its parent's.
  let c: unknown = cls;
  while (c && typeof c === 'function' && !dtoSchemas()[(c as { name: string }).name]) c = Object.getPrototypeOf(c);
  const schema = dtoSchemas()[(c as { name?: string })?.name ?? cls.name] as { properties?: Record<string, Schema>; required?: string[] } | undefined;
  const props = schema?.properties ?? {};
  return applyDecorators(
    ...Object.entries(props).map(([name, s]) =>
      ApiQuery({ name, required: schema?.required?.includes(name) ?? false, schema: s, description: typeof s.description === 'string' ? s.description : undefined }),
    ),
  );
}

/**
 * Documents the success answer: `{"data": <view>}` (a view type of libs/contracts, whose schema is
 * generated from the TypeScript type the service returns), a list envelope, or an array.
 */
export function ApiData(view: string, o: { status?: number; page?: boolean; array?: boolean; description?: string; headers?: Record<string, Schema> } = {}) {
  const data = o.page
    ? {
        type: 'object',
        required: ['items', 'total', 'limit', 'offset'],
        properties: { items: { type: 'array', items: ref(view) }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
      }
    : o.array
      ? { type: 'array', items: ref(view) }
      : ref(view);
  return ApiResponse({
    status: o.status ?? 200,
    description: o.description ?? (o.status === 201 ? 'Created' : 'OK'),
    schema: { type: 'object', required: ['data'], properties: { data: data } },
    headers: o.headers as never,
  });
}

/** An update that honours If-Match (the record's ETag from a read): 412 when the record changed since. */
export function ApiIfMatch() {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'The ETag of the version read (as GET answered it): the update is refused with 412 if the record has changed since. `*` matches any version.',
      schema: { type: 'string' },
    }),
    ApiErrors(ErrorCode.PRECONDITION_FAILED),
  );
}

/** A route that needs no credential (login, refresh, accepting an invitation, health). */
export function ApiPublic() {
  return ApiExtension('x-opsplane-public', true);
}

/** Error answers a route gives besides the ones every route of its kind gives (e.g. 400 INVALID_TRANSITION, 402 QUOTA_EXCEEDED). */
export function ApiErrors(...codes: ErrorCode[]) {
  return ApiExtension('x-opsplane-errors', codes);
}

const ERROR_TEXT: Record<ErrorCode, string> = {
  [ErrorCode.UNAUTHORIZED]: 'Missing, invalid, expired or revoked credentials',
  [ErrorCode.FORBIDDEN]: 'The credential may not do this (role, permission, scope, x-tenant-id, suspended tenant)',
  [ErrorCode.NOT_FOUND]: 'Not found (or another tenant’s)',
  [ErrorCode.VALIDATION_ERROR]: 'Invalid input; `details` names each field',
  [ErrorCode.RATE_LIMIT]: 'Too many requests; see Retry-After',
  [ErrorCode.INVALID_TRANSITION]: 'The state machine does not allow this move; the message names the allowed next states',
  [ErrorCode.QUOTA_EXCEEDED]: 'The plan’s limit is reached',
  [ErrorCode.CONFLICT]: 'Conflicts with the current state (a duplicate, an Idempotency-Key used with another request)',
  [ErrorCode.METHOD_NOT_ALLOWED]: 'The path does not answer this method; see Allow',
  [ErrorCode.PRECONDITION_FAILED]: 'If-Match does not match the current version: the record changed since it was read',
  [ErrorCode.PAYLOAD_TOO_LARGE]: 'The body is too large',
  [ErrorCode.UNAVAILABLE]: 'A service did not answer in time, or the gateway is not ready',
  [ErrorCode.ERROR]: 'Unexpected failure; the message carries an id to quote',
};

interface Operation {
  parameters?: { name: string; in: string }[];
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
  [ext: `x-${string}`]: unknown;
}

type Auth = 'none' | 'tenant' | 'operator';

function authOf(path: string, op: Operation): Auth {
  if (op['x-opsplane-public'] === true || path.startsWith('/health')) return 'none';
  return path.startsWith('/cp/') ? 'operator' : 'tenant';
}

/** The error answers of an operation: by its kind (credentials, path parameters, writes) and what it declares. */
function errorsOf(method: string, path: string, op: Operation, auth: Auth): ErrorCode[] {
  const codes = new Set<ErrorCode>([ErrorCode.VALIDATION_ERROR, ErrorCode.ERROR, ErrorCode.UNAVAILABLE]);
  if (auth !== 'none') [ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN].forEach((c) => codes.add(c));
  if (auth === 'tenant' || (auth === 'none' && !path.startsWith('/health'))) codes.add(ErrorCode.RATE_LIMIT);
  if (path.includes('{')) codes.add(ErrorCode.NOT_FOUND);
  if (['post', 'put', 'patch', 'delete'].includes(method)) codes.add(ErrorCode.CONFLICT);
  if (['post', 'put', 'patch'].includes(method)) codes.add(ErrorCode.PAYLOAD_TOO_LARGE);
  for (const c of (op['x-opsplane-errors'] as ErrorCode[] | undefined) ?? []) codes.add(c);
  return [...codes];
}

/** Every $ref in a value. */
function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) out.add(v.slice('#/components/schemas/'.length));
      else refsIn(v, out);
    }
  }
}

const ERROR_ENVELOPE: Schema = {
  type: 'object',
  required: ['error', 'code', 'trace_id'],
  properties: {
    error: { type: 'string', description: 'What went wrong, for a person' },
    code: { type: 'string', enum: Object.values(ErrorCode) },
    trace_id: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'The W3C trace id of the request' },
    details: {
      oneOf: [
        { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
        { type: 'object', additionalProperties: true },
      ],
    },
  },
};

/**
 * The OpenAPI 3.1 document of the gateway: the routes and their parameters from the
 * controllers, request bodies from the class-validator DTOs, answers from the contracts' view
 * types (generated schemas, `npm run openapi`), each operation's security (none, a tenant JWT or
 * API token, an operator JWT) and error answers, and only the schemas the operations use.
 */
export function buildOpenApi(app: INestApplication, views: SchemaMap = generatedViews as SchemaMap): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Opsplane API')
    .setDescription(
      'Opsplane: the tenant plane (`/api/...`: incidents, authentication, API tokens, team, organization, audit) and the control plane (`/cp/api/...`: operators, tenants, plans, usage). ' +
        'Every success is `{"data": ...}`; every error is `{"error", "code", "trace_id"}`. Requests accept snake_case fields and the camelCase names of the second API document.',
    )
    .setVersion('0.1.0')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'This gateway')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /api/auth/token (send x-tenant-id too)' }, 'tenantJwt')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token (ops_pat_...): it carries its tenant' }, 'apiToken')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A control-plane operator token from POST /cp/api/auth/token' }, 'operatorJwt')
    .build();
  const doc = SwaggerModule.createDocument(app, config) as OpenAPIObject & { openapi: string };
  doc.openapi = '3.1.0';
  const tenantHeader = {
    name: 'x-tenant-id',
    in: 'header',
    required: false,
    description: "The tenant (with a JWT; it must match the token's tenant). An API token carries its tenant.",
    schema: { type: 'string', format: 'uuid' },
  };
  const codesUsed = new Set<ErrorCode>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      const auth = authOf(path, op);
      op.security = auth === 'none' ? [] : auth === 'operator' ? [{ operatorJwt: [] }] : [{ tenantJwt: [] }, { apiToken: [] }];
      if (auth === 'tenant' && !(op.parameters ?? []).some((p) => p.name === 'x-tenant-id')) op.parameters = [...(op.parameters ?? []), tenantHeader];
      op.responses ??= {};
      for (const code of errorsOf(method, path, op, auth)) {
        op.responses[String(httpStatusOf(code))] ??= { $ref: `#/components/responses/${code}` };
        codesUsed.add(code);
      }
      if (auth !== 'none') delete (op.responses as Record<string, unknown>)['default'];
      delete op['x-opsplane-public'];
      delete op['x-opsplane-errors'];
    }
  }
  // Only the schemas the operations reference (and what those reference).
  const all: SchemaMap = { ...dtoSchemas(), ...views, ErrorEnvelope: ERROR_ENVELOPE };
  const used = new Set<string>();
  refsIn(doc.paths, used);
  const queue = [...used];
  while (queue.length) {
    const name = queue.pop()!;
    const more = new Set<string>();
    refsIn(all[name], more);
    for (const m of more) {
      if (used.has(m)) continue;
      used.add(m);
      queue.push(m);
    }
  }
  const missing = [...used].filter((n) => !all[n]);
  if (missing.length) throw new Error(`OpenAPI: schemas referenced but not defined: ${missing.join(', ')} (run npm run openapi)`);
  const responses = Object.fromEntries(
    [...codesUsed].sort().map((code) => [code, { description: ERROR_TEXT[code], content: { 'application/json': { schema: ref('ErrorEnvelope') } } }]),
  );
  used.add('ErrorEnvelope');
  doc.components = { ...doc.components, responses, schemas: Object.fromEntries([...used].sort().map((n) => [n, all[n]])) } as OpenAPIObject['components'];
  delete (doc as { security?: unknown }).security;
  return doc;
}

export function setupOpenApi(app: INestApplication): void {
  const doc = buildOpenApi(app);
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs/openapi.json', yamlDocumentUrl: 'api/docs/openapi.yaml' });
}
