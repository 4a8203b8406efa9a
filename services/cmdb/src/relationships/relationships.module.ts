import { Module } from '@nestjs/common';
import { ImpactService } from './impact.service';
import { RelationshipsController } from './relationships.controller';
import { RelationshipsService } from './relationships.service';

/** Relationships between items, and the impact analysis that walks them. */
@Module({ controllers: [RelationshipsController], providers: [RelationshipsService, ImpactService] })
export class RelationshipsModule {}
