import { Controller } from '@nestjs/common';
import { CiRefDto, CreateInfraDto, InfraQueryDto, RequestMeta, RpcSubject, UpdateInfraNodeRequestDto, UpdateInfraZoneRequestDto } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { InfraService } from './infra.service';

/** The infrastructure view over request/reply: each handler declares its body and who may call it. */
@Controller()
export class InfraController {
  constructor(private readonly infra: InfraService) {}

  @RpcHandler(RpcSubject.CmdbInfraView, { body: InfraQueryDto, requires: 'read' })
  view(meta: RequestMeta, q: InfraQueryDto) {
    return this.infra.view(meta, q);
  }

  @RpcHandler(RpcSubject.CmdbInfraCreate, { body: CreateInfraDto, requires: 'write' })
  create(meta: RequestMeta, dto: CreateInfraDto) {
    return this.infra.create(meta, dto);
  }

  @RpcHandler(RpcSubject.CmdbInfraUpdateNode, { body: UpdateInfraNodeRequestDto, requires: 'write' })
  updateNode(meta: RequestMeta, body: UpdateInfraNodeRequestDto) {
    return this.infra.updateNode(meta, body.id, body.patch);
  }

  @RpcHandler(RpcSubject.CmdbInfraDeleteNode, { body: CiRefDto, requires: 'write' })
  deleteNode(meta: RequestMeta, ref: CiRefDto) {
    return this.infra.deleteNode(meta, ref.id);
  }

  @RpcHandler(RpcSubject.CmdbInfraUpdateZone, { body: UpdateInfraZoneRequestDto, requires: 'write' })
  updateZone(meta: RequestMeta, body: UpdateInfraZoneRequestDto) {
    return this.infra.updateZone(meta, body.id, body.patch);
  }

  @RpcHandler(RpcSubject.CmdbInfraDeleteZone, { body: CiRefDto, requires: 'write' })
  deleteZone(meta: RequestMeta, ref: CiRefDto) {
    return this.infra.deleteZone(meta, ref.id);
  }
}
