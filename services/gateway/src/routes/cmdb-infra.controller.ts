import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CiRefDto, CreateInfraDto, InfraNodeView, InfraQueryDto, InfraView, InfraZoneView, RpcSubject, UpdateInfraNodeDto, UpdateInfraZoneDto } from '@opsplane/contracts';
import { parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiQueryOf } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A node as the second document writes it (camelCase, metadata.customTitle, environmentId), in the contract's names. */
function nodeKeys(node: unknown): unknown {
  const n = normalizeKeys(node);
  return isObject(n) && isObject(n.metadata) ? { ...n, metadata: normalizeKeys(n.metadata) } : n;
}

function infraKeys(body: unknown): unknown {
  const b = normalizeKeys(body);
  if (!isObject(b)) return b;
  return {
    ...b,
    ...(Array.isArray(b.nodes) ? { nodes: b.nodes.map(nodeKeys) } : {}),
    ...(Array.isArray(b.zones) ? { zones: b.zones.map((z) => normalizeKeys(z)) } : {}),
  };
}

/**
 * The second document's infrastructure view: nodes are the CMDB's configuration items, zones its items of a zone
 * class (zone, vpc, region, network, or the tenant's own), a node in a zone through a part_of relationship.
 */
@ApiTags('cmdb')
@Area('cmdb')
@Controller('api/infra')
export class InfraRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'The infrastructure view: nodes (items that are not zones, by label, at most max_nodes) and zones with their components' })
  @ApiQueryOf(InfraQueryDto)
  @ApiData('InfraView')
  async view(@Req() req: GatewayRequest, @Query() query: unknown): Promise<InfraView> {
    return this.rpc.request(RpcSubject.CmdbInfraView, metaOf(req), await parseInput(InfraQueryDto, query));
  }

  @Post()
  @ApiOperation({
    summary:
      'Create nodes (type, label, metadata.type and customTitle, position, environmentId) and zones (name, type, components), all or nothing; answers what was created. A node or zone that is already there (same class, name and environment) is updated, never duplicated',
  })
  @ApiBodyOf(CreateInfraDto)
  @ApiData('InfraView', { status: 201 })
  async create(@Req() req: GatewayRequest, @Body() body: unknown): Promise<InfraView> {
    return this.rpc.request(RpcSubject.CmdbInfraCreate, metaOf(req), await parseInput(CreateInfraDto, infraKeys(body)));
  }

  @Put('nodes/:id')
  @ApiParam({ name: 'id', description: 'The node (configuration item) uuid' })
  @ApiOperation({ summary: 'Update a node: label, type, metadata, environment, or move it (position)' })
  @ApiBodyOf(UpdateInfraNodeDto)
  @ApiData('InfraNodeView')
  async updateNode(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<InfraNodeView> {
    const ref = await parseInput(CiRefDto, { id });
    return this.rpc.request(RpcSubject.CmdbInfraUpdateNode, metaOf(req), { id: ref.id, patch: await parseInput(UpdateInfraNodeDto, nodeKeys(body)) });
  }

  @Delete('nodes/:id')
  @ApiParam({ name: 'id', description: 'The node (configuration item) uuid' })
  @ApiOperation({ summary: 'Delete a node (its configuration item, softly, with its relationships)' })
  @ApiData('DeletedView')
  async deleteNode(@Req() req: GatewayRequest, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.rpc.request(RpcSubject.CmdbInfraDeleteNode, metaOf(req), await parseInput(CiRefDto, { id }));
  }

  @Put('zones/:id')
  @ApiParam({ name: 'id', description: 'The zone (configuration item) uuid' })
  @ApiOperation({ summary: 'Update a zone: name, type, and its components (the whole list: members added and removed)' })
  @ApiBodyOf(UpdateInfraZoneDto)
  @ApiData('InfraZoneView')
  async updateZone(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<InfraZoneView> {
    const ref = await parseInput(CiRefDto, { id });
    return this.rpc.request(RpcSubject.CmdbInfraUpdateZone, metaOf(req), { id: ref.id, patch: await parseInput(UpdateInfraZoneDto, normalizeKeys(body)) });
  }

  @Delete('zones/:id')
  @ApiParam({ name: 'id', description: 'The zone (configuration item) uuid' })
  @ApiOperation({ summary: 'Delete a zone (its configuration item, softly; its members stay, outside it)' })
  @ApiData('DeletedView')
  async deleteZone(@Req() req: GatewayRequest, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.rpc.request(RpcSubject.CmdbInfraDeleteZone, metaOf(req), await parseInput(CiRefDto, { id }));
  }
}
