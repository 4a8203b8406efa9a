import { Controller } from '@nestjs/common';
import { CreateUserDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { TenantsService } from '../tenants/tenants.service';
import { UsersService } from './users.service';

/** The signed-in user, and users added directly by the platform; bodies validated here, at the boundary. */
@Controller()
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
  ) {}

  @RpcHandler(RpcSubject.AuthMe, { requires: 'read' })
  me(meta: RequestMeta) {
    return this.users.me(meta);
  }

  /** Internal: only the platform itself (CLI) adds users directly. */
  @RpcHandler(RpcSubject.AuthCreateUser, { body: CreateUserDto, requires: 'system' })
  createUser(_meta: RequestMeta, dto: CreateUserDto) {
    return this.tenants.createUser(dto);
  }
}
