import { Controller } from '@nestjs/common';
import { CiClassRefDto, CiHistoryQueryDto, CiListQueryDto, CiRefDto, CreateCiClassDto, CreateCiDto, ImportCisDto, RequestMeta, ResolveCisDto, RpcSubject, UpdateCiRequestDto } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { ItemsService } from './items.service';

/** The configuration items request/reply API: each handler declares its body and who may call it. */
@Controller()
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @RpcHandler(RpcSubject.CmdbCreateCi, { body: CreateCiDto, requires: 'write' })
  create(meta: RequestMeta, dto: CreateCiDto) {
    return this.items.create(meta, dto);
  }

  @RpcHandler(RpcSubject.CmdbResolveCis, { body: ResolveCisDto, requires: 'read' })
  resolve(meta: RequestMeta, dto: ResolveCisDto) {
    return this.items.resolve(meta, dto.refs);
  }

  @RpcHandler(RpcSubject.CmdbGetCi, { body: CiRefDto, requires: 'read' })
  get(meta: RequestMeta, ref: CiRefDto) {
    return this.items.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.CmdbListItems, { body: CiListQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: CiListQueryDto) {
    return this.items.list(meta, q);
  }

  @RpcHandler(RpcSubject.CmdbUpdateCi, { body: UpdateCiRequestDto, requires: 'write' })
  update(meta: RequestMeta, body: UpdateCiRequestDto) {
    return this.items.update(meta, body.id, body.patch);
  }

  @RpcHandler(RpcSubject.CmdbDeleteCi, { body: CiRefDto, requires: 'write' })
  remove(meta: RequestMeta, ref: CiRefDto) {
    return this.items.remove(meta, ref.id);
  }

  @RpcHandler(RpcSubject.CmdbRestoreCi, { body: CiRefDto, requires: 'write' })
  restore(meta: RequestMeta, ref: CiRefDto) {
    return this.items.restore(meta, ref.id);
  }

  @RpcHandler(RpcSubject.CmdbCiHistory, { body: CiHistoryQueryDto, requires: 'read' })
  history(meta: RequestMeta, q: CiHistoryQueryDto) {
    return this.items.historyOf(meta, q);
  }

  @RpcHandler(RpcSubject.CmdbImportItems, { body: ImportCisDto, requires: 'write' })
  import(meta: RequestMeta, dto: ImportCisDto) {
    return this.items.import(meta, dto);
  }

  @RpcHandler(RpcSubject.CmdbListClasses, { requires: 'read' })
  classes(meta: RequestMeta) {
    return this.items.listClasses(meta);
  }

  @RpcHandler(RpcSubject.CmdbCreateClass, { body: CreateCiClassDto, requires: 'admin' })
  createClass(meta: RequestMeta, dto: CreateCiClassDto) {
    return this.items.createClass(meta, dto);
  }

  @RpcHandler(RpcSubject.CmdbDeleteClass, { body: CiClassRefDto, requires: 'admin' })
  deleteClass(meta: RequestMeta, ref: CiClassRefDto) {
    return this.items.deleteClass(meta, ref.name);
  }
}
