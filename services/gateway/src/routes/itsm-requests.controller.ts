import { Body, Controller, Delete, Get, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  CatalogItemRefDto,
  CatalogItemView,
  CreateCatalogItemDto,
  CreateServiceRequestDto,
  DeletedView,
  ListCatalogQueryDto,
  ListServiceRequestsQueryDto,
  RequestApprovalDto,
  RpcSubject,
  ServiceRequestRefDto,
  ServiceRequestView,
  TaskRefDto,
  UpdateCatalogItemDto,
  UpdateServiceRequestDto,
  UpdateTaskDto,
} from '@opsplane/contracts';
import { ErrorCode, Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiErrors, ApiIfMatch, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

const etag = (description: string) => ({ headers: { ETag: { description, schema: { type: 'string' } } } });
const location = (description: string) => ({ status: 201, headers: { Location: { description, schema: { type: 'string' } } } });
const itemParam = ApiParam({ name: 'id', description: 'Catalog item uuid or code' });
const requestParam = ApiParam({ name: 'id', description: 'Service request uuid or reference (REQ-00000001)' });

/** The service catalog: what can be ordered, with its form, approval and fulfilment tasks (admins maintain it). */
@ApiTags('service catalog')
@Area('itsm')
@Controller('api/itsm/catalog')
export class ItsmCatalogRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List catalog items (active ones unless active=false|all), by category and name' })
  @ApiQueryOf(ListCatalogQueryDto)
  @ApiData('CatalogItemView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<CatalogItemView>> {
    return this.rpc.request(RpcSubject.ItsmListCatalog, metaOf(req), await parseInput(ListCatalogQueryDto, query));
  }

  @Post()
  @ApiOperation({ summary: 'Create a catalog item (admins): its request form as a JSON Schema, its approval and fulfilment tasks' })
  @ApiBodyOf(CreateCatalogItemDto)
  @IdempotencyKeyHeader()
  @ApiData('CatalogItemView', location('The new catalog item'))
  @ApiErrors(ErrorCode.CONFLICT)
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<CatalogItemView> {
    const view = await this.rpc.request<CatalogItemView>(RpcSubject.ItsmCreateCatalogItem, metaOf(req), await parseInput(CreateCatalogItemDto, normalizeKeys(body)));
    void reply.header('location', `/api/itsm/catalog/${view.id}`);
    return view;
  }

  @Get(':id')
  @itemParam
  @ApiOperation({ summary: 'Get a catalog item by id or code' })
  @ApiData('CatalogItemView', etag('The version read, for If-Match'))
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<CatalogItemView> {
    return this.rpc.request(RpcSubject.ItsmGetCatalogItem, metaOf(req), await parseInput(CatalogItemRefDto, { id }));
  }

  @Patch(':id')
  @itemParam
  @ApiOperation({ summary: 'Update a catalog item (admins); requests already submitted keep the form, approval and tasks they were made under' })
  @ApiBodyOf(UpdateCatalogItemDto)
  @ApiData('CatalogItemView', etag('The new version'))
  @ApiErrors(ErrorCode.CONFLICT)
  @ApiIfMatch()
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<CatalogItemView> {
    return this.update(req, id, body);
  }

  @Put(':id')
  @itemParam
  @ApiOperation({ summary: 'Update a catalog item (same as PATCH)' })
  @ApiBodyOf(UpdateCatalogItemDto)
  @ApiData('CatalogItemView', etag('The new version'))
  @ApiErrors(ErrorCode.CONFLICT)
  @ApiIfMatch()
  async put(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<CatalogItemView> {
    return this.update(req, id, body);
  }

  private async update(req: GatewayRequest, id: string, body: unknown): Promise<CatalogItemView> {
    const ref = await parseInput(CatalogItemRefDto, { id });
    const patch = await parseInput(UpdateCatalogItemDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.ItsmUpdateCatalogItem, metaOf(req), { id: ref.id, patch });
  }

  @Delete(':id')
  @itemParam
  @ApiOperation({ summary: 'Delete a catalog item nobody has requested (admins); one with requests is deactivated instead (409)' })
  @ApiData('DeletedView')
  @ApiErrors(ErrorCode.CONFLICT)
  async remove(@Req() req: GatewayRequest, @Param('id') id: string): Promise<DeletedView> {
    return this.rpc.request(RpcSubject.ItsmDeleteCatalogItem, metaOf(req), await parseInput(CatalogItemRefDto, { id }));
  }
}

/** Service requests: orders of catalog items, approved as the item says, fulfilled task by task. */
@ApiTags('service requests')
@Area('itsm')
@Controller('api/itsm/requests')
export class ItsmRequestsRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List service requests, newest first (e.g. ?status=pending_approval)' })
  @ApiQueryOf(ListServiceRequestsQueryDto)
  @ApiData('ServiceRequestView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<ServiceRequestView>> {
    return this.rpc.request(RpcSubject.ItsmListRequests, metaOf(req), await parseInput(ListServiceRequestsQueryDto, query));
  }

  @Post()
  @ApiOperation({
    summary:
      "Submit a service request from the catalog (catalog_item_id: uuid or code); fields are checked against the item's form (422 naming each bad field, nothing written). Safe to retry with an Idempotency-Key header",
  })
  @ApiBodyOf(CreateServiceRequestDto)
  @IdempotencyKeyHeader()
  @ApiData('ServiceRequestView', location('The new service request'))
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<ServiceRequestView> {
    const view = await this.rpc.request<ServiceRequestView>(RpcSubject.ItsmCreateRequest, metaOf(req), await parseInput(CreateServiceRequestDto, normalizeKeys(body)));
    void reply.header('location', `/api/itsm/requests/${view.id}`);
    return view;
  }

  @Get(':id')
  @requestParam
  @ApiOperation({ summary: 'Get a service request by id or reference' })
  @ApiData('ServiceRequestView', etag('The version read, for If-Match'))
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<ServiceRequestView> {
    return this.rpc.request(RpcSubject.ItsmGetRequest, metaOf(req), await parseInput(ServiceRequestRefDto, { id }));
  }

  @Patch(':id')
  @requestParam
  @ApiOperation({ summary: 'Cancel a service request, or mark one without open tasks fulfilled' })
  @ApiBodyOf(UpdateServiceRequestDto)
  @ApiData('ServiceRequestView', etag('The new version'))
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<ServiceRequestView> {
    const ref = await parseInput(ServiceRequestRefDto, { id });
    const patch = await parseInput(UpdateServiceRequestDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.ItsmUpdateRequest, metaOf(req), { id: ref.id, patch });
  }

  @Post(':id/approval')
  @requestParam
  @ApiOperation({ summary: 'Approve or reject a service request pending approval (not by its requester; each approver once; a rejection stops it)' })
  @ApiBodyOf(RequestApprovalDto)
  @ApiData('ServiceRequestView', etag('The new version'))
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async approval(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<ServiceRequestView> {
    const ref = await parseInput(ServiceRequestRefDto, { id });
    const decision = await parseInput(RequestApprovalDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.ItsmDecideRequest, metaOf(req), { id: ref.id, decision });
  }

  @Patch(':id/tasks/:task_id')
  @requestParam
  @ApiParam({ name: 'task_id', description: 'Fulfilment task uuid' })
  @ApiOperation({ summary: 'Mark a fulfilment task done, skipped or open again; the request is fulfilled when none is open' })
  @ApiBodyOf(UpdateTaskDto)
  @ApiData('ServiceRequestView', etag('The new version'))
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async task(@Req() req: GatewayRequest, @Param('id') id: string, @Param('task_id') taskId: string, @Body() body: unknown): Promise<ServiceRequestView> {
    const ref = await parseInput(ServiceRequestRefDto, { id });
    const patch = await parseInput(UpdateTaskDto, normalizeKeys(body));
    const task = await parseInput(TaskRefDto, { task_id: taskId });
    return this.rpc.request(RpcSubject.ItsmUpdateRequestTask, metaOf(req), { id: ref.id, task_id: task.task_id, patch });
  }
}
