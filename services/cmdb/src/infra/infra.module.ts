import { Module } from '@nestjs/common';
import { ItemsModule } from '../items/items.module';
import { InfraController } from './infra.controller';
import { InfraService } from './infra.service';

/** The infrastructure view (nodes and zones) over the configuration items. */
@Module({ imports: [ItemsModule], controllers: [InfraController], providers: [InfraService] })
export class InfraModule {}
