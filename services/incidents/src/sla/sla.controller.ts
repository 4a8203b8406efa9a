import { Controller } from '@nestjs/common';
import { CreateSlaPolicyDto, ListSlaPoliciesQueryDto, RequestMeta, RpcSubject, SlaPolicyRefDto, UpdateSlaPolicyCommand } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { SlaPoliciesService } from './sla-policies.service';

/** The SLA policies request/reply API. */
@Controller()
export class SlaController {
  constructor(private readonly policies: SlaPoliciesService) {}

  @RpcHandler(RpcSubject.SlaCreatePolicy, { body: CreateSlaPolicyDto, requires: 'write' })
  create(meta: RequestMeta, dto: CreateSlaPolicyDto) {
    return this.policies.create(meta, dto);
  }

  @RpcHandler(RpcSubject.SlaListPolicies, { body: ListSlaPoliciesQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: ListSlaPoliciesQueryDto) {
    return this.policies.list(meta, q);
  }

  @RpcHandler(RpcSubject.SlaGetPolicy, { body: SlaPolicyRefDto, requires: 'read' })
  get(meta: RequestMeta, ref: SlaPolicyRefDto) {
    return this.policies.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.SlaUpdatePolicy, { body: UpdateSlaPolicyCommand, requires: 'write' })
  update(meta: RequestMeta, c: UpdateSlaPolicyCommand) {
    return this.policies.update(meta, c.id, c.patch);
  }

  @RpcHandler(RpcSubject.SlaDeletePolicy, { body: SlaPolicyRefDto, requires: 'write' })
  remove(meta: RequestMeta, ref: SlaPolicyRefDto) {
    return this.policies.remove(meta, ref.id);
  }
}
