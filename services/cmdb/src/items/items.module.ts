import { Module } from '@nestjs/common';
import { ItemsController } from './items.controller';
import { ItemsService } from './items.service';

/** Configuration items: create, read, list, update, delete softly and restore, history, bulk import, classes. */
@Module({ controllers: [ItemsController], providers: [ItemsService], exports: [ItemsService] })
export class ItemsModule {}
