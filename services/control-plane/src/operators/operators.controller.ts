import { Controller } from '@nestjs/common';
import { CpLoginDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { OperatorsService } from './operators.service';

@Controller()
export class OperatorsController {
  constructor(private readonly operators: OperatorsService) {}

  @RpcHandler(RpcSubject.CpLogin, { body: CpLoginDto, requires: 'public' })
  login(_meta: RequestMeta, dto: CpLoginDto) {
    return this.operators.login(dto);
  }
}
