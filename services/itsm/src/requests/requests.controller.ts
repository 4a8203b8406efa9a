import { Controller } from '@nestjs/common';
import {
  CatalogItemRefDto,
  CreateCatalogItemDto,
  CreateServiceRequestDto,
  ListCatalogQueryDto,
  ListServiceRequestsQueryDto,
  RequestApprovalCommand,
  RequestMeta,
  RpcSubject,
  ServiceRequestRefDto,
  UpdateCatalogItemCommand,
  UpdateServiceRequestCommand,
  UpdateTaskCommand,
} from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { CatalogService } from './catalog.service';
import { RequestsService } from './requests.service';

/** The catalog and service requests request/reply API. */
@Controller()
export class RequestsController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly requests: RequestsService,
  ) {}

  @RpcHandler(RpcSubject.ItsmCreateCatalogItem, { body: CreateCatalogItemDto, requires: 'admin' })
  createItem(meta: RequestMeta, dto: CreateCatalogItemDto) {
    return this.catalog.create(meta, dto);
  }

  @RpcHandler(RpcSubject.ItsmListCatalog, { body: ListCatalogQueryDto, requires: 'read' })
  listItems(meta: RequestMeta, q: ListCatalogQueryDto) {
    return this.catalog.list(meta, q);
  }

  @RpcHandler(RpcSubject.ItsmGetCatalogItem, { body: CatalogItemRefDto, requires: 'read' })
  getItem(meta: RequestMeta, ref: CatalogItemRefDto) {
    return this.catalog.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.ItsmUpdateCatalogItem, { body: UpdateCatalogItemCommand, requires: 'admin' })
  updateItem(meta: RequestMeta, c: UpdateCatalogItemCommand) {
    return this.catalog.update(meta, c.id, c.patch);
  }

  @RpcHandler(RpcSubject.ItsmDeleteCatalogItem, { body: CatalogItemRefDto, requires: 'admin' })
  deleteItem(meta: RequestMeta, ref: CatalogItemRefDto) {
    return this.catalog.remove(meta, ref.id);
  }

  @RpcHandler(RpcSubject.ItsmCreateRequest, { body: CreateServiceRequestDto, requires: 'write' })
  create(meta: RequestMeta, dto: CreateServiceRequestDto) {
    return this.requests.create(meta, dto);
  }

  @RpcHandler(RpcSubject.ItsmListRequests, { body: ListServiceRequestsQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: ListServiceRequestsQueryDto) {
    return this.requests.list(meta, q);
  }

  @RpcHandler(RpcSubject.ItsmGetRequest, { body: ServiceRequestRefDto, requires: 'read' })
  get(meta: RequestMeta, ref: ServiceRequestRefDto) {
    return this.requests.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.ItsmUpdateRequest, { body: UpdateServiceRequestCommand, requires: 'write' })
  update(meta: RequestMeta, c: UpdateServiceRequestCommand) {
    return this.requests.update(meta, c.id, c.patch);
  }

  @RpcHandler(RpcSubject.ItsmDecideRequest, { body: RequestApprovalCommand, requires: 'write' })
  decide(meta: RequestMeta, c: RequestApprovalCommand) {
    return this.requests.decide(meta, c.id, c.decision);
  }

  @RpcHandler(RpcSubject.ItsmUpdateRequestTask, { body: UpdateTaskCommand, requires: 'write' })
  updateTask(meta: RequestMeta, c: UpdateTaskCommand) {
    return this.requests.updateTask(meta, c.id, c.task_id, c.patch);
  }
}
