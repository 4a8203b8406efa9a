import { Controller } from '@nestjs/common';
import { CreatePlanDto, ListPlansQueryDto, RequestMeta, RpcSubject, UpdatePlanCommand } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { PlansService } from './plans.service';

@Controller()
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @RpcHandler(RpcSubject.CpListPlans, { body: ListPlansQueryDto, requires: 'operator' })
  list(_meta: RequestMeta, q: ListPlansQueryDto) {
    return this.plans.list(q);
  }

  @RpcHandler(RpcSubject.CpCreatePlan, { body: CreatePlanDto, requires: 'operator' })
  create(meta: RequestMeta, dto: CreatePlanDto) {
    return this.plans.create(meta, dto);
  }

  @RpcHandler(RpcSubject.CpUpdatePlan, { body: UpdatePlanCommand, requires: 'operator' })
  update(meta: RequestMeta, cmd: UpdatePlanCommand) {
    return this.plans.update(meta, cmd.name, cmd.patch);
  }
}
