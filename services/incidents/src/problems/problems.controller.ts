import { Controller } from '@nestjs/common';
import { CreateProblemDto, LinkIncidentCommand, ListProblemsQueryDto, ProblemRefDto, RequestMeta, RpcSubject, UpdateProblemCommand } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { ProblemsService } from './problems.service';

/** The problems request/reply API. */
@Controller()
export class ProblemsController {
  constructor(private readonly problems: ProblemsService) {}

  @RpcHandler(RpcSubject.IncidentsCreateProblem, { body: CreateProblemDto, requires: 'write' })
  create(meta: RequestMeta, dto: CreateProblemDto) {
    return this.problems.create(meta, dto);
  }

  @RpcHandler(RpcSubject.IncidentsListProblems, { body: ListProblemsQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: ListProblemsQueryDto) {
    return this.problems.list(meta, q);
  }

  @RpcHandler(RpcSubject.IncidentsGetProblem, { body: ProblemRefDto, requires: 'read' })
  get(meta: RequestMeta, ref: ProblemRefDto) {
    return this.problems.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.IncidentsUpdateProblem, { body: UpdateProblemCommand, requires: 'write' })
  update(meta: RequestMeta, c: UpdateProblemCommand) {
    return this.problems.update(meta, c.id, c.patch);
  }

  @RpcHandler(RpcSubject.IncidentsLinkProblemIncident, { body: LinkIncidentCommand, requires: 'write' })
  link(meta: RequestMeta, c: LinkIncidentCommand) {
    return this.problems.link(meta, c.id, c.link);
  }
}
