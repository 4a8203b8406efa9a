import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  ChangedSinceQueryDto,
  CiClassRefDto,
  CiClassView,
  CiHistoryEntryView,
  CiHistoryQueryDto,
  CiImportReportView,
  CiListQueryDto,
  CiRefDto,
  CiView,
  CreateCiClassDto,
  CreateCiDto,
  CreateRelationshipDto,
  ImpactQueryDto,
  ImpactView,
  ImportCisDto,
  RelationshipListQueryDto,
  RelationshipRefDto,
  RelationshipView,
  RpcSubject,
  UpdateCiDto,
  UpdateRelationshipDto,
} from '@opsplane/contracts';
import { AppError, Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiIfMatch, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { recordsOnCis } from './cmdb-records';
import { RPC_CLIENT } from './tokens';

const idParam = ApiParam({ name: 'id', description: 'Configuration item uuid' });
const etag = (description: string) => ({ headers: { ETag: { description, schema: { type: 'string' } } } });
const locationOf = (req: GatewayRequest, id: string) => `${req.url.split('?')[0].replace(/\/$/, '')}/${id}`;

/** `attr.<key>=<value>` query parameters as the list's attribute conditions. */
function withAttributeFilters(query: unknown): unknown {
  if (!query || typeof query !== 'object') return query;
  const rest: Record<string, unknown> = {};
  const attr: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    if (!k.startsWith('attr.')) {
      rest[k] = v;
      continue;
    }
    if (typeof v !== 'string') throw AppError.validation([{ field: k, message: `${k} must be given once, as a single value` }]);
    attr[k.slice(5)] = v;
  }
  return Object.keys(attr).length ? { ...rest, attr } : rest;
}

/** The CMDB's configuration items: CRUD (soft delete, history), identification, bulk import. */
@ApiTags('cmdb')
@Area('cmdb')
@Controller('api/cmdb/items')
export class CmdbItemsRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({
    summary:
      'List configuration items (by name unless sorted otherwise). Filters: class, environment, owner, lifecycle_status, criticality (each comma-separated or repeated), q (name or title), attribute equality as attr.<key>=<value> (e.g. attr.os=Ubuntu 22.04), updated_since, include_deleted',
  })
  @ApiQueryOf(CiListQueryDto)
  @ApiData('CiView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<CiView>> {
    return this.rpc.request(RpcSubject.CmdbListItems, metaOf(req), await parseInput(CiListQueryDto, withAttributeFilters(query)));
  }

  @Post()
  @ApiOperation({
    summary:
      'Create a configuration item. Another live item with the same identity (class + name + environment, or k8s_uid, serial or hostname among its attributes) is a 409 naming it. Safe to retry with an Idempotency-Key header',
  })
  @ApiBodyOf(CreateCiDto)
  @IdempotencyKeyHeader()
  @ApiData('CiView', { status: 201, headers: { Location: { description: 'The new item', schema: { type: 'string' } } } })
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<CiView> {
    const view = await this.rpc.request<CiView>(RpcSubject.CmdbCreateCi, metaOf(req), await parseInput(CreateCiDto, normalizeKeys(body)));
    void reply.header('location', locationOf(req, view.id));
    return view;
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import items and relationships, all or nothing (up to 5,000 items and 20,000 relationships a request). Each item updates the live item it identifies (k8s_uid, serial, hostname, else class + name + environment; attributes merged) or is created; relationships name their ends by id or by an item\'s ref. Answers what was created, updated and left unchanged. A bad row is a 422 naming it (items[3].class) and nothing is written',
  })
  @ApiBodyOf(ImportCisDto)
  @ApiData('CiImportReportView')
  async bulk(@Req() req: GatewayRequest, @Body() body: unknown): Promise<CiImportReportView> {
    // Thousands of rows: checked once, by the cmdb service's handler (the same ImportCisDto, the same 422 naming the
    // row), rather than here and there again (class-validator costs about 50 µs an item).
    return this.rpc.request(RpcSubject.CmdbImportItems, metaOf(req), normalizeKeys(body));
  }

  @Get(':id')
  @idParam
  @ApiOperation({ summary: 'Get a configuration item, with its open incidents and its changes approved, scheduled or in progress' })
  @ApiData('CiView', etag('The version read, for If-Match'))
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<CiView> {
    const meta = metaOf(req);
    const view = await this.rpc.request<CiView>(RpcSubject.CmdbGetCi, meta, await parseInput(CiRefDto, { id }));
    const records = (await recordsOnCis(this.rpc, meta, [view.id])).get(view.id)!;
    return { ...view, open_incidents: records.incidents, changes: records.changes };
  }

  @Patch(':id')
  @idParam
  @ApiOperation({ summary: 'Update a configuration item: the fields given (attributes replaced, or merged with merge_attributes). Recorded in its history' })
  @ApiBodyOf(UpdateCiDto)
  @ApiData('CiView', etag('The new version'))
  @ApiIfMatch()
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<CiView> {
    return this.update(req, id, body);
  }

  @Put(':id')
  @idParam
  @ApiOperation({ summary: 'Update a configuration item (same as PATCH)' })
  @ApiBodyOf(UpdateCiDto)
  @ApiData('CiView', etag('The new version'))
  @ApiIfMatch()
  async put(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<CiView> {
    return this.update(req, id, body);
  }

  @Delete(':id')
  @idParam
  @ApiOperation({ summary: 'Delete a configuration item: kept with its history (include_deleted lists it), its relationships removed' })
  @ApiData('DeletedView')
  @ApiIfMatch()
  async remove(@Req() req: GatewayRequest, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.rpc.request(RpcSubject.CmdbDeleteCi, metaOf(req), await parseInput(CiRefDto, { id }));
  }

  @Post(':id/restore')
  @HttpCode(200)
  @idParam
  @ApiOperation({ summary: 'Restore a deleted configuration item (not its relationships); 409 when a live item has taken its identity' })
  @ApiData('CiView')
  async restore(@Req() req: GatewayRequest, @Param('id') id: string): Promise<CiView> {
    return this.rpc.request(RpcSubject.CmdbRestoreCi, metaOf(req), await parseInput(CiRefDto, { id }));
  }

  @Get(':id/history')
  @idParam
  @ApiOperation({ summary: 'Who changed what on a configuration item, and when (newest first; deleted items too)' })
  @ApiQueryOf(ChangedSinceQueryDto)
  @ApiData('CiHistoryEntryView', { page: true })
  async history(@Req() req: GatewayRequest, @Param('id') id: string, @Query() query: unknown): Promise<Page<CiHistoryEntryView>> {
    return this.rpc.request(RpcSubject.CmdbCiHistory, metaOf(req), await parseInput(CiHistoryQueryDto, { ...(query as object), id }));
  }

  private async update(req: GatewayRequest, id: string, body: unknown): Promise<CiView> {
    const ref = await parseInput(CiRefDto, { id });
    const patch = await parseInput(UpdateCiDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.CmdbUpdateCi, metaOf(req), { id: ref.id, patch });
  }
}

/** The classes items may have: built in, and the tenant's own (admins add and remove them). */
@ApiTags('cmdb')
@Area('cmdb')
@Controller('api/cmdb/classes')
export class CmdbClassesRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List the classes of configuration items: built in, then the tenant\'s own' })
  @ApiData('CiClassView', { page: true })
  async list(@Req() req: GatewayRequest): Promise<Page<CiClassView>> {
    return this.rpc.request(RpcSubject.CmdbListClasses, metaOf(req), {});
  }

  @Post()
  @ApiOperation({ summary: 'Add a class of configuration items (admins); zone: its items group others in the infrastructure view' })
  @ApiBodyOf(CreateCiClassDto)
  @ApiData('CiClassView', { status: 201 })
  async create(@Req() req: GatewayRequest, @Body() body: unknown): Promise<CiClassView> {
    return this.rpc.request(RpcSubject.CmdbCreateClass, metaOf(req), await parseInput(CreateCiClassDto, normalizeKeys(body)));
  }

  @Delete(':name')
  @ApiParam({ name: 'name', description: 'The class name' })
  @ApiOperation({ summary: 'Remove one of the tenant\'s classes (admins); 409 while live items have it' })
  @ApiData('DeletedView')
  async remove(@Req() req: GatewayRequest, @Param('name') name: string): Promise<{ deleted: true }> {
    return this.rpc.request(RpcSubject.CmdbDeleteClass, metaOf(req), await parseInput(CiClassRefDto, { name }));
  }
}

/** Typed relationships between items: source depends on / runs on / is hosted on / connects to / is part or member of target. */
@ApiTags('cmdb')
@Area('cmdb')
@Controller('api/cmdb/relationships')
export class CmdbRelationshipsRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List relationships (oldest first); ci_id: those with the item at either end; source_id, target_id, type' })
  @ApiQueryOf(RelationshipListQueryDto)
  @ApiData('RelationshipView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<RelationshipView>> {
    return this.rpc.request(RpcSubject.CmdbListRelationships, metaOf(req), await parseInput(RelationshipListQueryDto, query));
  }

  @Post()
  @ApiOperation({
    summary:
      'Relate two items of the tenant: the source is affected when the target fails. The same relationship twice is a 409 naming the first; an item of another tenant or a deleted one is a 422. Safe to retry with an Idempotency-Key header',
  })
  @ApiBodyOf(CreateRelationshipDto)
  @IdempotencyKeyHeader()
  @ApiData('RelationshipView', { status: 201, headers: { Location: { description: 'The new relationship', schema: { type: 'string' } } } })
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<RelationshipView> {
    const view = await this.rpc.request<RelationshipView>(RpcSubject.CmdbCreateRelationship, metaOf(req), await parseInput(CreateRelationshipDto, normalizeKeys(body)));
    void reply.header('location', locationOf(req, view.id));
    return view;
  }

  @Get(':id')
  @ApiParam({ name: 'id', description: 'Relationship uuid' })
  @ApiOperation({ summary: 'Get a relationship' })
  @ApiData('RelationshipView')
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<RelationshipView> {
    return this.rpc.request(RpcSubject.CmdbGetRelationship, metaOf(req), await parseInput(RelationshipRefDto, { id }));
  }

  @Patch(':id')
  @ApiParam({ name: 'id', description: 'Relationship uuid' })
  @ApiOperation({ summary: 'Change a relationship\'s criticality' })
  @ApiBodyOf(UpdateRelationshipDto)
  @ApiData('RelationshipView')
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<RelationshipView> {
    const ref = await parseInput(RelationshipRefDto, { id });
    const patch = await parseInput(UpdateRelationshipDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.CmdbUpdateRelationship, metaOf(req), { id: ref.id, patch });
  }

  @Delete(':id')
  @ApiParam({ name: 'id', description: 'Relationship uuid' })
  @ApiOperation({ summary: 'Remove a relationship' })
  @ApiData('DeletedView')
  async remove(@Req() req: GatewayRequest, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.rpc.request(RpcSubject.CmdbDeleteRelationship, metaOf(req), await parseInput(RelationshipRefDto, { id }));
  }
}

/** The blast radius of a failure. */
@ApiTags('cmdb')
@Area('cmdb')
@Controller('api/cmdb/impact')
export class CmdbImpactRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({
    summary:
      'Impact blast radius of one or several items (ci_id repeated or comma-separated): every item reached through the relationships, each once at its shortest distance with one shortest path (item ids), the relationship types along it, the worst criticality on it, its open incidents and its changes approved, scheduled or in progress. direction=upstream (default: what depends on them, what fails with them) or downstream (what they depend on); depth 1-10 (default 6); cycles end the walk; nearest first, at most max_items items (total counts all)',
  })
  @ApiQueryOf(ImpactQueryDto)
  @ApiData('ImpactView')
  async impact(@Req() req: GatewayRequest, @Query() query: unknown): Promise<ImpactView> {
    const meta = metaOf(req);
    const view = await this.rpc.request<ImpactView>(RpcSubject.CmdbImpact, meta, await parseInput(ImpactQueryDto, query));
    const records = await recordsOnCis(
      this.rpc,
      meta,
      view.items.map((i) => i.ci.id),
    );
    return { ...view, items: view.items.map((i) => ({ ...i, open_incidents: records.get(i.ci.id)!.incidents, scheduled_changes: records.get(i.ci.id)!.changes })) };
  }
}
