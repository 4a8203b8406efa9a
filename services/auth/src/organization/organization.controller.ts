import { Controller } from '@nestjs/common';
import { RequestMeta, RpcSubject, UpdateOrganizationDto } from '@opsplane/contracts';
import { parseInput } from '@opsplane/errors';
import { RpcHandler } from '@opsplane/messaging';
import { OrganizationService } from './organization.service';

/** Organization settings over request/reply; bodies validated here, at the boundary. */
@Controller()
export class OrganizationController {
  constructor(private readonly orgs: OrganizationService) {}

  @RpcHandler(RpcSubject.AuthGetOrganization)
  async get(meta: RequestMeta) {
    return this.orgs.get(meta);
  }

  @RpcHandler(RpcSubject.AuthUpdateOrganization)
  async update(meta: RequestMeta, body: unknown) {
    return this.orgs.update(meta, await parseInput(UpdateOrganizationDto, body));
  }
}
