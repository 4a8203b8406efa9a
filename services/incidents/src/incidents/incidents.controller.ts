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
} from '@opsplane/contracts';
import { parseInput } from '@opsplane/errors';
import { RpcHandler } from '@opsplane/messaging';
import { IncidentsService } from './incidents.service';

/** The incidents service's request/reply API. Every body is validated here, at the boundary. */
@Controller()
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @RpcHandler(RpcSubject.IncidentsCreate)
  async create(meta: RequestMeta, body: unknown) {
    return this.incidents.create(meta, await parseInput(CreateIncidentDto, body));
  }

  @RpcHandler(RpcSubject.IncidentsGet)
  async get(meta: RequestMeta, body: unknown) {
    return this.incidents.get(meta, (await parseInput(IncidentRefDto, body)).id);
  }

  @RpcHandler(RpcSubject.IncidentsList)
  async list(meta: RequestMeta, body: unknown) {
    return this.incidents.list(meta, await parseInput(ListIncidentsQueryDto, body));
  }

  @RpcHandler(RpcSubject.IncidentsUpdate)
  async update(meta: RequestMeta, body: unknown) {
    const cmd = await parseInput(UpdateIncidentCommand, body);
    return this.incidents.update(meta, cmd.id, cmd.patch);
  }

  @RpcHandler(RpcSubject.IncidentsAddComment)
  async addComment(meta: RequestMeta, body: unknown) {
    const cmd = await parseInput(AddCommentCommand, body);
    return this.incidents.addComment(meta, cmd.id, cmd.comment);
  }

  @RpcHandler(RpcSubject.IncidentsListComments)
  async listComments(meta: RequestMeta, body: unknown) {
    const q = await parseInput(ListByIncidentQuery, body);
    return this.incidents.listComments(meta, q.id, q.page);
  }

  @RpcHandler(RpcSubject.IncidentsTimeline)
  async timeline(meta: RequestMeta, body: unknown) {
    const q = await parseInput(ListByIncidentQuery, body);
    return this.incidents.timeline(meta, q.id, q.page);
  }
}
