import { Controller } from '@nestjs/common';
import {
  ChangeApprovalCommand,
  ChangeApprovalPolicyDto,
  ChangeCalendarQueryDto,
  CreateFreezeWindowDto,
  FreezeWindowRefDto,
  ListFreezeWindowsQueryDto,
  UpdateFreezeWindowCommand,
  ChangeRefDto,
  CreateChangeDto,
  ListByChangeQuery,
  ListChangesQueryDto,
  RequestMeta,
  RpcSubject,
  UpdateChangeCommand,
  CiIdsDto,
} from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { ChangesService } from './changes.service';
import { FreezeWindowsService } from './freeze-windows.service';

/** The changes request/reply API: each handler declares its body and who may call it. */
@Controller()
export class ChangesController {
  constructor(
    private readonly changes: ChangesService,
    private readonly freezes: FreezeWindowsService,
  ) {}

  @RpcHandler(RpcSubject.ItsmCreateChange, { body: CreateChangeDto, requires: 'write' })
  create(meta: RequestMeta, dto: CreateChangeDto) {
    return this.changes.create(meta, dto);
  }

  @RpcHandler(RpcSubject.ItsmChangesOnCis, { body: CiIdsDto, requires: 'read' })
  onCis(meta: RequestMeta, dto: CiIdsDto) {
    return this.changes.onCis(meta, dto.ci_ids);
  }

  @RpcHandler(RpcSubject.ItsmGetChange, { body: ChangeRefDto, requires: 'read' })
  get(meta: RequestMeta, ref: ChangeRefDto) {
    return this.changes.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.ItsmListChanges, { body: ListChangesQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: ListChangesQueryDto) {
    return this.changes.list(meta, q);
  }

  @RpcHandler(RpcSubject.ItsmUpdateChange, { body: UpdateChangeCommand, requires: 'write' })
  update(meta: RequestMeta, c: UpdateChangeCommand) {
    return this.changes.update(meta, c.id, c.patch);
  }

  @RpcHandler(RpcSubject.ItsmDecideChange, { body: ChangeApprovalCommand, requires: 'write' })
  decide(meta: RequestMeta, c: ChangeApprovalCommand) {
    return this.changes.decide(meta, c.id, c.decision);
  }

  @RpcHandler(RpcSubject.ItsmChangeTimeline, { body: ListByChangeQuery, requires: 'read' })
  timeline(meta: RequestMeta, q: ListByChangeQuery) {
    return this.changes.timeline(meta, q.id, q.page);
  }

  @RpcHandler(RpcSubject.ItsmChangeCalendar, { body: ChangeCalendarQueryDto, requires: 'read' })
  calendar(meta: RequestMeta, q: ChangeCalendarQueryDto) {
    return this.changes.calendar(meta, q);
  }

  @RpcHandler(RpcSubject.ItsmCreateFreezeWindow, { body: CreateFreezeWindowDto, requires: 'admin' })
  createFreeze(meta: RequestMeta, dto: CreateFreezeWindowDto) {
    return this.freezes.create(meta, dto);
  }

  @RpcHandler(RpcSubject.ItsmListFreezeWindows, { body: ListFreezeWindowsQueryDto, requires: 'read' })
  listFreezes(meta: RequestMeta, q: ListFreezeWindowsQueryDto) {
    return this.freezes.list(meta, q);
  }

  @RpcHandler(RpcSubject.ItsmGetFreezeWindow, { body: FreezeWindowRefDto, requires: 'read' })
  getFreeze(meta: RequestMeta, ref: FreezeWindowRefDto) {
    return this.freezes.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.ItsmUpdateFreezeWindow, { body: UpdateFreezeWindowCommand, requires: 'admin' })
  updateFreeze(meta: RequestMeta, c: UpdateFreezeWindowCommand) {
    return this.freezes.update(meta, c.id, c.patch);
  }

  @RpcHandler(RpcSubject.ItsmDeleteFreezeWindow, { body: FreezeWindowRefDto, requires: 'admin' })
  deleteFreeze(meta: RequestMeta, ref: FreezeWindowRefDto) {
    return this.freezes.remove(meta, ref.id);
  }

  @RpcHandler(RpcSubject.ItsmGetChangePolicy, { requires: 'read' })
  getPolicy(meta: RequestMeta) {
    return this.changes.getPolicy(meta);
  }

  @RpcHandler(RpcSubject.ItsmSetChangePolicy, { body: ChangeApprovalPolicyDto, requires: 'admin' })
  setPolicy(meta: RequestMeta, dto: ChangeApprovalPolicyDto) {
    return this.changes.setPolicy(meta, dto);
  }
}
