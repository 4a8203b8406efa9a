import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiQuery, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { TIME_SCHEMA_CONVERTERS } from '@opsplane/contracts';
import { RESPONSE_SCHEMAS } from './response-schemas';

type SchemaMap = Record<string, Record<string, unknown>>;
let cached: SchemaMap | undefined;

/** JSON schemas of every class-validator DTO: the same classes that validate requests describe them. */
export function dtoSchemas(): SchemaMap {
  cached ??= validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    additionalConverters: TIME_SCHEMA_CONVERTERS,
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
  const schema = dtoSchemas()[(c as { name?: string })?.name ?? cls.name] as { properties?: Record<string, Record<string, unknown>>; required?: string[] } | undefined;
  const props = schema?.properties ?? {};
  return applyDecorators(
    ...Object.entries(props).map(([name, s]) =>
      ApiQuery({ name, required: schema?.required?.includes(name) ?? false, schema: s, description: typeof s.description === 'string' ? s.description : undefined }),
    ),
  );
}

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Opsplane API')
    .setDescription(
      'Tenant-plane API of Opsplane: incidents, authentication and API tokens. Every success is `{"data": ...}`; every error is `{"error", "code", "trace_id"}`. ' +
        'Requests accept snake_case fields and the camelCase names of the second API document.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A JWT from POST /api/auth/token (with x-tenant-id) or an API token (ops_pat_...)' })
    .addGlobalParameters({ name: 'x-tenant-id', in: 'header', required: false, description: "The tenant; must match the credential's tenant", schema: { type: 'string', format: 'uuid' } })
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  doc.components = doc.components ?? {};
  doc.components.schemas = { ...(doc.components.schemas ?? {}), ...dtoSchemas(), ...RESPONSE_SCHEMAS } as OpenAPIObject['components'] extends infer C
    ? C extends { schemas?: infer S }
      ? S
      : never
    : never;
  doc.security = [{ bearer: [] }];
  return doc;
}

export function setupOpenApi(app: INestApplication): void {
  const doc = buildOpenApi(app);
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs/openapi.json', yamlDocumentUrl: 'api/docs/openapi.yaml' });
}
