import { Controller } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { AccessService } from './access.service';

@Controller()
export class AccessController {
  constructor(private readonly access: AccessService) {}

  /** Internal: the gateways read the revoked users at start and after a reconnection. */
  @RpcHandler(RpcSubject.AuthAccessRevocations, { requires: 'platform' })
  revocations() {
    return this.access.revocations();
  }
}
