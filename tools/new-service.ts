import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { parseDocument, YAMLMap } from 'yaml';

/**
 * `npm run new-service -- <name> --feature <plural> [--entity <singular>]`: a new service in the
 * layout every service has (see docs/architecture.md), working end to end: its folder (module, one
 * feature with controller, service, repository, exception and mapper, a migration with its table
 * under row-level security, the outbox, inbox, idempotency keys and tenant fence), its contracts
 * (DTOs, view, request subjects), its gateway routes, its registry entry, its Compose service and
 * Helm values, a unit spec and an integration spec. Then fill in the domain.
 */

const root = join(__dirname, '..', '..');

const pascal = (kebab: string) => kebab.split(/[-_]/).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
const camel = (kebab: string) => pascal(kebab)[0].toLowerCase() + pascal(kebab).slice(1);
const snake = (kebab: string) => kebab.replace(/-/g, '_');

interface Names {
  service: string; // kebab: service folder, registry name
  Service: string; // Pascal
  schema: string; // snake
  feature: string; // kebab plural: folder, route segment
  Feature: string;
  entity: string; // kebab singular
  Entity: string;
  table: string; // snake plural
  rpc: string; // subject prefix, snake
}

function write(path: string, text: string): void {
  const full = join(root, path);
  if (existsSync(full)) throw new Error(`${path} exists already`);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text.replace(/^\n/, ''));
  process.stdout.write(`  create ${path}\n`);
}

function edit(path: string, change: (text: string) => string): void {
  const full = join(root, path);
  const before = readFileSync(full, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`${path}: nothing to change (already there?)`);
  writeFileSync(full, after);
  process.stdout.write(`  update ${path}\n`);
}

function files(n: Names): void {
  const subj = (what: string) => `${n.Service}${what}`;
  write(
    `libs/contracts/src/${n.service}/${n.entity}.dto.ts`,
    `
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';
import { ChangedSinceQueryDto } from '../common/pagination';

/** Creates a ${n.entity}. */
export class Create${n.Entity}Dto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  description?: string;
}

export class ${n.Entity}RefDto {
  @IsUUID()
  id!: string;
}

/** Newest first; updated_since keeps those changed since (a client that polls). */
export class List${n.Feature}QueryDto extends ChangedSinceQueryDto {
  /** Words of the title. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/** A ${n.entity} as the API answers it. */
export interface ${n.Entity}View {
  /** @format uuid */
  id: string;
  title: string;
  description: string;
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
  /** Bumped by every change; answered as the ETag, checked against If-Match. */
  version: number;
}
`,
  );

  const s = `services/${n.service}/src`;
  write(`services/${n.service}/package.json`, `{"name": "@opsplane/${n.service}", "version": "0.1.0", "private": true, "types": "src/index.ts"}\n`);
  write(
    `services/${n.service}/project.json`,
    `{ "name": "${n.service}", "$schema": "../../node_modules/nx/schemas/project-schema.json", "sourceRoot": "services/${n.service}/src", "projectType": "library", "tags": ["type:service"] }\n`,
  );
  write(
    `${s}/main.ts`,
    `
import { startTelemetry } from '@opsplane/observability';
startTelemetry({ serviceName: 'opsplane-${n.service}' });

import 'reflect-metadata';
import { runStandaloneService } from '@opsplane/runtime';
import { ${camel(n.service)}Service } from './${n.service}.module';

void runStandaloneService(${camel(n.service)}Service);
`,
  );
  write(`${s}/index.ts`, `export { ${camel(n.service)}Service, ${n.Service}Module } from './${n.service}.module';\nexport { ${n.Service}Config } from './config';\n`);
  write(
    `${s}/config.ts`,
    `
import { CommonConfig } from '@opsplane/config';

/** The ${n.service} service's settings (environment variables, checked once at start). */
export class ${n.Service}Config extends CommonConfig {}
`,
  );
  write(
    `${s}/${n.service}.module.ts`,
    `
import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, RuntimeModule, ServiceDefinition, ServiceRuntime, tenantPurgeController } from '@opsplane/runtime';
import { ${n.Feature}Module } from './${n.feature}/${n.feature}.module';
import { ${n.Entity}Entity } from './${n.feature}/${n.entity}.entity';
import { ${n.Service}Config } from './config';
import { ${n.Service.toUpperCase()}_MIGRATIONS } from './migrations';

/** The ${n.service} service: one module per feature. */
@Module({})
export class ${n.Service}Module {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: ${n.Service}Module,
      imports: [RuntimeModule.forRoot(runtime), ${n.Feature}Module],
      controllers: [healthController('${n.service}', RpcSubject.${subj('Health')}), tenantPurgeController(RpcSubject.${subj('PurgeTenant')})],
    };
  }
}

export const ${camel(n.service)}Service: ServiceDefinition<${n.Service}Config> = {
  name: '${n.service}',
  schema: '${n.schema}',
  config: ${n.Service}Config,
  entities: [${n.Entity}Entity],
  migrations: ${n.Service.toUpperCase()}_MIGRATIONS,
  module: (rt) => ${n.Service}Module.forRuntime(rt as unknown as ServiceRuntime),
};
`,
  );
  const ts = Date.now();
  const Init = `${n.Service}Init${ts}`;
  write(
    `${s}/migrations/${ts}-${n.service}-init.ts`,
    `
import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxSql, dropTenantFenceSql, idempotencyTableSql, outboxInboxSql, tenantFenceSql, tenantRlsSql } from '@opsplane/db';

const S = '${n.schema}';

/** The ${n.service} schema: ${n.table} (tenant-owned, row-level security), the outbox and inbox, idempotency keys and the tenant fence. */
export class ${Init} implements MigrationInterface {
  name = '${Init}';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      \`CREATE TABLE "\${S}"."${n.table}" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1
      )\`,
      \`CREATE INDEX ${n.table}_tenant_created_idx ON "\${S}"."${n.table}" (tenant_id, created_at DESC, id DESC)\`,
      ...tenantRlsSql(S, '${n.table}'),
      ...outboxInboxSql(S),
      ...idempotencyTableSql(S),
      ...tenantFenceSql(S),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropTenantFenceSql(S)) await q.query(sql);
    await q.query(\`DROP TABLE IF EXISTS "\${S}"."idempotency_keys"\`);
    for (const sql of dropOutboxInboxSql(S)) await q.query(sql);
    await q.query(\`DROP TABLE IF EXISTS "\${S}"."${n.table}"\`);
  }
}
`,
  );
  write(
    `${s}/migrations/index.ts`,
    `
import { ${Init} } from './${ts}-${n.service}-init';

/** Every ${n.service} migration, oldest first. */
export const ${n.Service.toUpperCase()}_MIGRATIONS = [${Init}];
`,
  );
  const f = `${s}/${n.feature}`;
  write(
    `${f}/${n.feature}.module.ts`,
    `
import { Module } from '@nestjs/common';
import { ${n.Feature}Controller } from './${n.feature}.controller';
import { ${n.Feature}Service } from './${n.feature}.service';

/** ${n.Feature}: create, get and list. */
@Module({ controllers: [${n.Feature}Controller], providers: [${n.Feature}Service] })
export class ${n.Feature}Module {}
`,
  );
  write(
    `${f}/${n.feature}.controller.ts`,
    `
import { Controller } from '@nestjs/common';
import { Create${n.Entity}Dto, ${n.Entity}RefDto, List${n.Feature}QueryDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { ${n.Feature}Service } from './${n.feature}.service';

/** The ${n.feature} request/reply API: each handler declares its body and who may call it. */
@Controller()
export class ${n.Feature}Controller {
  constructor(private readonly ${camel(n.feature)}: ${n.Feature}Service) {}

  @RpcHandler(RpcSubject.${subj(`Create${n.Entity}`)}, { body: Create${n.Entity}Dto, requires: 'write' })
  create(meta: RequestMeta, dto: Create${n.Entity}Dto) {
    return this.${camel(n.feature)}.create(meta, dto);
  }

  @RpcHandler(RpcSubject.${subj(`Get${n.Entity}`)}, { body: ${n.Entity}RefDto, requires: 'read' })
  get(meta: RequestMeta, ref: ${n.Entity}RefDto) {
    return this.${camel(n.feature)}.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.${subj(`List${n.Feature}`)}, { body: List${n.Feature}QueryDto, requires: 'read' })
  list(meta: RequestMeta, q: List${n.Feature}QueryDto) {
    return this.${camel(n.feature)}.list(meta, q);
  }
}
`,
  );
  write(
    `${f}/${n.feature}.service.ts`,
    `
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Create${n.Entity}Dto, List${n.Feature}QueryDto, RequestMeta, ${n.Entity}View } from '@opsplane/contracts';
import { asTenantId, idempotentCreate } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { new${n.Entity} } from './${n.entity}.domain';
import { ${n.Feature}Errors } from './${n.feature}.exception';
import { find${n.Entity}, insert${n.Entity}, list${n.Feature} } from './${n.feature}.repository';
import { to${n.Entity}View } from './${n.entity}.mapper';

@Injectable()
export class ${n.Feature}Service {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  /** Creates a ${n.entity} (safe to retry with an Idempotency-Key), audited in the same transaction. */
  async create(meta: RequestMeta, dto: Create${n.Entity}Dto): Promise<${n.Entity}View> {
    const tenant = asTenantId(meta.tenant_id);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, '${n.service}.${n.entity}.create', dto, (record) =>
      this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        const e = new${n.Entity}({ id: randomUUID(), tenantId: tenant, dto, createdBy: meta.actor?.user_id ?? null, now: new Date() });
        await insert${n.Entity}(tx, e);
        const view = to${n.Entity}View(e);
        await tx.audit({ action: '${n.entity}.created', resource_type: '${n.entity}', resource_id: view.id, after: view });
        await record(tx, view);
        return view;
      }),
    );
  }

  async get(meta: RequestMeta, id: string): Promise<${n.Entity}View> {
    const tenant = asTenantId(meta.tenant_id);
    const e = await this.rt.tenantDb.run(tenant, (tx) => find${n.Entity}(tx, id));
    if (!e) throw ${n.Feature}Errors.notFound(id);
    return to${n.Entity}View(e);
  }

  async list(meta: RequestMeta, q: List${n.Feature}QueryDto): Promise<Page<${n.Entity}View>> {
    const tenant = asTenantId(meta.tenant_id);
    const { rows, total } = await this.rt.tenantDb.run(tenant, (tx) => list${n.Feature}(tx, q));
    return { items: rows.map(to${n.Entity}View), total, limit: q.limit, offset: q.offset };
  }
}
`,
  );
  write(
    `${f}/${n.feature}.repository.ts`,
    `
import { List${n.Feature}QueryDto } from '@opsplane/contracts';
import { rowShape, TenantTx } from '@opsplane/db';
import { ${n.Entity}Entity } from './${n.entity}.entity';

/**
 * The ${n.table} table in plain SQL, its columns read from the entity (rowShape): the entity is the
 * one declaration of the row. The schema is the connection's search path; row-level security
 * keeps each tenant's rows apart.
 */
const shapeOf = (tx: TenantTx) => rowShape(tx, ${n.Entity}Entity);

export async function insert${n.Entity}(tx: TenantTx, e: ${n.Entity}Entity): Promise<void> {
  const shape = shapeOf(tx);
  await tx.query(shape.insertSql, shape.values(e));
}

export async function find${n.Entity}(tx: TenantTx, id: string): Promise<${n.Entity}Entity | undefined> {
  const shape = shapeOf(tx);
  const rows = (await tx.query(\`SELECT \${shape.selectList} FROM \${shape.table} WHERE id = $1\`, [id])) as Record<string, unknown>[];
  return rows.length ? shape.fromRow(rows[0]) : undefined;
}

export async function list${n.Feature}(tx: TenantTx, q: List${n.Feature}QueryDto): Promise<{ rows: ${n.Entity}Entity[]; total: number }> {
  const shape = shapeOf(tx);
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.q) where.push(\`title ILIKE $\${params.push(\`%\${q.q.replace(/[\\\\%_]/g, (c) => \`\\\\\${c}\`)}%\`)}\`);
  if (q.updated_since) where.push(\`updated_at >= $\${params.push(q.updated_since)}\`);
  const filter = where.length ? \`WHERE \${where.join(' AND ')}\` : '';
  const [{ n }] = (await tx.query(\`SELECT count(*)::int AS n FROM \${shape.table} \${filter}\`, params)) as { n: number }[];
  const rows = (await tx.query(
    \`SELECT \${shape.selectList} FROM \${shape.table} \${filter} ORDER BY created_at DESC, id DESC LIMIT $\${params.push(q.limit)} OFFSET $\${params.push(q.offset)}\`,
    params,
  )) as Record<string, unknown>[];
  return { rows: rows.map((r) => shape.fromRow(r)), total: n };
}
`,
  );
  write(
    `${f}/${n.entity}.entity.ts`,
    `
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A ${n.entity}: the one declaration of its row (the migration creates the table; the repository reads the columns from here). */
@Entity({ name: '${n.table}' })
export class ${n.Entity}Entity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  title!: string;

  @Column('text', { default: '' })
  description!: string;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('integer', { default: 1 })
  version!: number;
}
`,
  );
  write(
    `${f}/${n.entity}.domain.ts`,
    `
import { Create${n.Entity}Dto } from '@opsplane/contracts';
import { ${n.Entity}Entity } from './${n.entity}.entity';

/**
 * The ${n.entity}'s rules, without I/O (the service loads, calls these, and records the outcome in
 * one unit of work). Add the rules of each change here, with their unit tests.
 */
export function new${n.Entity}(o: { id: string; tenantId: string; dto: Create${n.Entity}Dto; createdBy: string | null; now: Date }): ${n.Entity}Entity {
  return Object.assign(new ${n.Entity}Entity(), {
    id: o.id,
    tenantId: o.tenantId,
    title: o.dto.title.trim(),
    description: o.dto.description ?? '',
    createdBy: o.createdBy,
    createdAt: o.now,
    updatedAt: o.now,
    version: 1,
  } satisfies ${n.Entity}Entity);
}
`,
  );
  write(
    `${f}/${n.feature}.exception.ts`,
    `
import { AppError, ErrorCode } from '@opsplane/errors';

/** The ${n.feature} feature's errors: each one an error code of the contract and a message for people. */
export const ${n.Feature}Errors = {
  notFound: (id: string) => new AppError(ErrorCode.NOT_FOUND, \`${n.Entity} \${id} not found\`),
};
`,
  );
  write(
    `${f}/${n.entity}.mapper.ts`,
    `
import { ${n.Entity}View } from '@opsplane/contracts';
import { ${n.Entity}Entity } from './${n.entity}.entity';

/** A ${n.entity} as the API answers it. */
export function to${n.Entity}View(e: ${n.Entity}Entity): ${n.Entity}View {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    created_by: e.createdBy,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    version: e.version,
  };
}
`,
  );
  write(
    `${f}/__tests__/${n.entity}.mapper.spec.ts`,
    `
import { new${n.Entity} } from '../${n.entity}.domain';
import { to${n.Entity}View } from '../${n.entity}.mapper';

describe(to${n.Entity}View.name, () => {
  it('answers a new ${n.entity} in the API shape: snake_case, RFC 3339 times, version 1, no tenant', () => {
    const now = new Date('2026-11-30T08:15:00.000Z');
    const e = new${n.Entity}({ id: 'i', tenantId: 't', dto: { title: '  A  ' }, createdBy: null, now });
    expect(to${n.Entity}View(e)).toEqual({ id: 'i', title: 'A', description: '', created_by: null, created_at: '2026-11-30T08:15:00.000Z', updated_at: '2026-11-30T08:15:00.000Z', version: 1 });
  });
});
`,
  );
  write(
    `services/gateway/src/routes/${n.service}-${n.feature}.controller.ts`,
    `
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Create${n.Entity}Dto, ${n.Entity}RefDto, ${n.Entity}View, List${n.Feature}QueryDto, RpcSubject } from '@opsplane/contracts';
import { Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

/** The ${n.service} service's ${n.feature}. */
@ApiTags('${n.service}')
@Area('${n.service}')
@Controller('api/${n.service}/${n.feature}')
export class ${n.Service}${n.Feature}Routes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List ${n.feature}, newest first' })
  @ApiQueryOf(List${n.Feature}QueryDto)
  @ApiData('${n.Entity}View', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<${n.Entity}View>> {
    return this.rpc.request(RpcSubject.${subj(`List${n.Feature}`)}, metaOf(req), await parseInput(List${n.Feature}QueryDto, query));
  }

  @Post()
  @ApiOperation({ summary: 'Create a ${n.entity}. Safe to retry with an Idempotency-Key header' })
  @ApiBodyOf(Create${n.Entity}Dto)
  @IdempotencyKeyHeader()
  @ApiData('${n.Entity}View', { status: 201, headers: { Location: { description: 'The new ${n.entity}', schema: { type: 'string' } } } })
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<${n.Entity}View> {
    const dto = await parseInput(Create${n.Entity}Dto, normalizeKeys(body));
    const view = await this.rpc.request<${n.Entity}View>(RpcSubject.${subj(`Create${n.Entity}`)}, metaOf(req), dto);
    void reply.header('location', \`/api/${n.service}/${n.feature}/\${view.id}\`);
    return view;
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a ${n.entity}' })
  @ApiData('${n.Entity}View')
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<${n.Entity}View> {
    return this.rpc.request(RpcSubject.${subj(`Get${n.Entity}`)}, metaOf(req), await parseInput(${n.Entity}RefDto, { id }));
  }
}
`,
  );
  write(
    `test/integration/${n.service}.integration-spec.ts`,
    `
import { randomUUID } from 'node:crypto';
import { RpcSubject } from '@opsplane/contracts';
import { ServiceHarness } from '../support/service-harness';

/** The ${n.service} service alone, through the transport (the whole-platform specs cover the gateway). */
describe('${n.service}: ${n.feature}', () => {
  let svc: ServiceHarness;

  beforeAll(async () => {
    svc = await ServiceHarness.start('${n.service}');
  });
  afterAll(async () => {
    await svc.close();
  });

  it('creates, gets and lists ${n.feature}, newest first', async () => {
    const as = ServiceHarness.as(ServiceHarness.tenant());
    const first = await svc.call<{ id: string; title: string }>(RpcSubject.${subj(`Create${n.Entity}`)}, as, { title: 'First' });
    const second = await svc.call<{ id: string }>(RpcSubject.${subj(`Create${n.Entity}`)}, as, { title: 'Second' });
    await expect(svc.call(RpcSubject.${subj(`Get${n.Entity}`)}, as, { id: first.id })).resolves.toMatchObject({ id: first.id, title: 'First' });
    const page = await svc.call<{ items: { id: string }[]; total: number }>(RpcSubject.${subj(`List${n.Feature}`)}, as, {});
    expect(page.total).toBe(2);
    expect(page.items.map((x) => x.id)).toEqual([second.id, first.id]);
  });

  it("keeps each tenant's ${n.feature} apart", async () => {
    const a = ServiceHarness.as(ServiceHarness.tenant());
    const b = ServiceHarness.as(ServiceHarness.tenant());
    const mine = await svc.call<{ id: string }>(RpcSubject.${subj(`Create${n.Entity}`)}, a, { title: 'Private' });
    await expect(svc.call(RpcSubject.${subj(`Get${n.Entity}`)}, b, { id: mine.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc.call(RpcSubject.${subj(`List${n.Feature}`)}, b, {})).resolves.toMatchObject({ total: 0 });
  });

  it('refuses bad input and readers, writing nothing; a retried create with its Idempotency-Key writes once', async () => {
    const tenant = ServiceHarness.tenant();
    const as = ServiceHarness.as(tenant);
    await expect(svc.call(RpcSubject.${subj(`Create${n.Entity}`)}, as, { title: '' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(svc.call(RpcSubject.${subj(`Create${n.Entity}`)}, ServiceHarness.as(tenant, 'viewer'), { title: 'No' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const key = randomUUID();
    const once = await svc.call<{ id: string }>(RpcSubject.${subj(`Create${n.Entity}`)}, { ...as, idempotency_key: key }, { title: 'Once' });
    const again = await svc.call<{ id: string }>(RpcSubject.${subj(`Create${n.Entity}`)}, { ...as, idempotency_key: key }, { title: 'Once' });
    expect(again.id).toBe(once.id);
    await expect(svc.call(RpcSubject.${subj(`List${n.Feature}`)}, as, {})).resolves.toMatchObject({ total: 1 });
  });
});
`,
  );
}

function registrations(n: Names): void {
  const subj = (what: string) => `${n.Service}${what}`;
  edit('libs/contracts/src/common/subjects.ts', (t) =>
    t.replace(
      /(export enum RpcSubject \{[\s\S]*?)(\n\}\n)/,
      (_, body: string, end: string) =>
        `${body}\n\n` +
        [
          [subj('Health'), `rpc.${n.rpc}.health.v1`],
          [subj('PurgeTenant'), `rpc.${n.rpc}.purge_tenant.v1`],
          [subj(`Create${n.Entity}`), `rpc.${n.rpc}.create_${snake(n.entity)}.v1`],
          [subj(`Get${n.Entity}`), `rpc.${n.rpc}.get_${snake(n.entity)}.v1`],
          [subj(`List${n.Feature}`), `rpc.${n.rpc}.list_${snake(n.feature)}.v1`],
        ]
          .map(([k, v]) => `  ${k} = '${v}',`)
          .join('\n') +
        end,
    ),
  );
  edit('libs/contracts/src/index.ts', (t) => `${t.trimEnd()}\nexport * from './${n.service}/${n.entity}.dto';\n`);
  edit('libs/registry/services.json', (t) => {
    const doc = JSON.parse(t) as { services: Record<string, unknown>[] };
    const entry = {
      name: n.service,
      role: 'service',
      package: `@opsplane/${n.service}`,
      definition: `${camel(n.service)}Service`,
      schema: n.schema,
      subjects: { health: `rpc.${n.rpc}.health.v1`, purge: `rpc.${n.rpc}.purge_tenant.v1` },
      tokenScope: n.service,
      description: `The ${n.service} service (${n.feature}).`,
    };
    const allInOne = doc.services.findIndex((x) => x.role === 'all-in-one');
    doc.services.splice(allInOne < 0 ? doc.services.length : allInOne, 0, entry);
    return JSON.stringify(doc, null, 2) + '\n';
  });
  edit('services/gateway/src/routes/index.ts', (t) =>
    t
      .replace(/(import \{ TeamRoutes \} from '\.\/team\.controller';)/, `$1\nimport { ${n.Service}${n.Feature}Routes } from './${n.service}-${n.feature}.controller';`)
      .replace(/(\n\];\n)$/, `\n  ${n.Service}${n.Feature}Routes,$1`),
  );
  // Deploy: a Compose service and Helm values like the incidents service's.
  edit('docker-compose.yml', (t) => {
    const doc = parseDocument(t);
    const services = doc.get('services') as YAMLMap;
    // A clone keeps the aliases to the shared settings (<<: *opsplane-env); only the command differs.
    const node = (services.get('incidents', true) as unknown as YAMLMap).clone() as YAMLMap;
    node.set('command', doc.createNode(['node', `dist/services/${n.service}/src/main.js`], { flow: true }));
    services.set(n.service, node);
    return doc.toString();
  });
  edit('deploy/helm/opsplane/values.yaml', (t) => {
    const doc = parseDocument(t);
    const services = doc.get('services') as YAMLMap;
    const node = (services.get('incidents', true) as unknown as YAMLMap).clone() as YAMLMap;
    node.set('args', doc.createNode(['node', `dist/services/${n.service}/src/main.js`], { flow: true }));
    services.set(n.service, node);
    return doc.toString();
  });
}

const program = new Command('new-service')
  .description('Creates a service in the layout of docs/architecture.md, registered and deployable, with one feature to fill in')
  .argument('<name>', 'the service (kebab-case), e.g. itsm')
  .requiredOption('--feature <plural>', 'its first feature (kebab-case plural), e.g. changes')
  .option('--entity <singular>', 'one item of the feature (default: the feature without its final s)')
  .action((name: string, o: { feature: string; entity?: string }) => {
    const kebab = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
    for (const v of [name, o.feature, o.entity ?? 'x']) if (!kebab.test(v)) throw new Error(`${v}: use kebab-case (a-z, 0-9, -)`);
    if (existsSync(join(root, 'services', name))) throw new Error(`services/${name} exists already`);
    const entity = o.entity ?? o.feature.replace(/s$/, '');
    if (entity === o.feature) throw new Error('--entity must differ from --feature (e.g. --feature changes --entity change)');
    const n: Names = {
      service: name,
      Service: pascal(name),
      schema: snake(name),
      feature: o.feature,
      Feature: pascal(o.feature),
      entity,
      Entity: pascal(entity),
      table: snake(o.feature),
      rpc: snake(name),
    };
    process.stdout.write(`new service ${name} (feature ${o.feature}, entity ${entity})\n`);
    files(n);
    registrations(n);
    process.stdout.write(
      `\nnext: npm install (the new workspace joins package-lock.json: npm ci refuses a lock without it), npm run openapi (the routes join docs/openapi.json), npm run check, npm test -- test/integration/${name}.integration-spec.ts; then fill in the domain (docs/architecture.md)\n`,
    );
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`new-service: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
