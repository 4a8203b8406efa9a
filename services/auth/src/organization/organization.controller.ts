import { Controller } from '@nestjs/common';
import { RequestMeta, RpcSubject, UpdateOrganizationDto } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { OrganizationService } from './organization.service';

/** Organization settings over request/reply; bodies validated here, at the boundary. */
@Controller()
export class OrganizationController {
  constructor(private readonly orgs: OrganizationService) {}

  @RpcHandler(RpcSubject.AuthGetOrganization, { requires: 'read' })
  get(meta: RequestMeta) {
    return this.orgs.get(meta);
  }

  @RpcHandler(RpcSubject.AuthUpdateOrganization, { body: UpdateOrganizationDto, requires: 'write' })
  update(meta: RequestMeta, dto: UpdateOrganizationDto) {
    return this.orgs.update(meta, dto);
  }
}
