import { Controller } from '@nestjs/common';
import { CreateRelationshipDto, ImpactQueryDto, RelationshipListQueryDto, RelationshipRefDto, RequestMeta, RpcSubject, UpdateRelationshipRequestDto } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { ImpactService } from './impact.service';
import { RelationshipsService } from './relationships.service';

/** Relationships and impact over request/reply: each handler declares its body and who may call it. */
@Controller()
export class RelationshipsController {
  constructor(
    private readonly relationships: RelationshipsService,
    private readonly impacts: ImpactService,
  ) {}

  @RpcHandler(RpcSubject.CmdbCreateRelationship, { body: CreateRelationshipDto, requires: 'write' })
  create(meta: RequestMeta, dto: CreateRelationshipDto) {
    return this.relationships.create(meta, dto);
  }

  @RpcHandler(RpcSubject.CmdbListRelationships, { body: RelationshipListQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: RelationshipListQueryDto) {
    return this.relationships.list(meta, q);
  }

  @RpcHandler(RpcSubject.CmdbGetRelationship, { body: RelationshipRefDto, requires: 'read' })
  get(meta: RequestMeta, ref: RelationshipRefDto) {
    return this.relationships.get(meta, ref.id);
  }

  @RpcHandler(RpcSubject.CmdbUpdateRelationship, { body: UpdateRelationshipRequestDto, requires: 'write' })
  update(meta: RequestMeta, body: UpdateRelationshipRequestDto) {
    return this.relationships.update(meta, body.id, body.patch);
  }

  @RpcHandler(RpcSubject.CmdbDeleteRelationship, { body: RelationshipRefDto, requires: 'write' })
  remove(meta: RequestMeta, ref: RelationshipRefDto) {
    return this.relationships.remove(meta, ref.id);
  }

  @RpcHandler(RpcSubject.CmdbImpact, { body: ImpactQueryDto, requires: 'read' })
  impact(meta: RequestMeta, q: ImpactQueryDto) {
    return this.impacts.impact(meta, q);
  }
}
