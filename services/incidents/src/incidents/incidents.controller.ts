import { Controller } from '@nestjs/common';
import {
  AddCommentCommand,
  CreateIncidentDto,
  IncidentRefDto,
  ListByIncidentQuery,
  ListIncidentsQueryDto,
  RequestMeta,
  RpcSubject,
  UpdateIncidentCommand,
  CiIdsDto,
} from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { IncidentsService } from './incidents.service';

/** The incidents service's request/reply API: each handler declares its body and who may call it. */
@Controller()
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @RpcHandler(RpcSubject.IncidentsCreate, { body: CreateIncidentDto, requires: 'write' })
  create(meta: RequestMeta, dto: CreateIncidentDto) {
    return this.incidents.create(meta, dto);
  }

  @RpcHandler(RpcSubject.IncidentsOnCis, { body: CiIdsDto, requires: 'read' })
  onCis(meta: RequestMeta, dto: CiIdsDto) {
    return this.incidents.onCis(meta, dto.ci_ids);
  }

  @RpcHandler(RpcSubject.IncidentsGet, { body: IncidentRefDto, requires: 'read' })
  get(meta: RequestMeta, ref: IncidentRefDto) {
    return this.incidents.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.IncidentsList, { body: ListIncidentsQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: ListIncidentsQueryDto) {
    return this.incidents.list(meta, q);
  }

  @RpcHandler(RpcSubject.IncidentsUpdate, { body: UpdateIncidentCommand, requires: 'write' })
  update(meta: RequestMeta, cmd: UpdateIncidentCommand) {
    return this.incidents.update(meta, cmd.id, cmd.patch);
  }

  @RpcHandler(RpcSubject.IncidentsAddComment, { body: AddCommentCommand, requires: 'write' })
  addComment(meta: RequestMeta, cmd: AddCommentCommand) {
    return this.incidents.addComment(meta, cmd.id, cmd.comment);
  }

  @RpcHandler(RpcSubject.IncidentsListComments, { body: ListByIncidentQuery, requires: 'read' })
  listComments(meta: RequestMeta, q: ListByIncidentQuery) {
    return this.incidents.listComments(meta, q.id, q.page);
  }

  @RpcHandler(RpcSubject.IncidentsTimeline, { body: ListByIncidentQuery, requires: 'read' })
  timeline(meta: RequestMeta, q: ListByIncidentQuery) {
    return this.incidents.timeline(meta, q.id, q.page);
  }
}
