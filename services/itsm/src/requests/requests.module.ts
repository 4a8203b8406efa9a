import { Module } from '@nestjs/common';
import { CatalogService } from './catalog.service';
import { RequestsController } from './requests.controller';
import { RequestsService } from './requests.service';

/** The service catalog and service requests: ordering, approval, fulfilment tasks. */
@Module({ controllers: [RequestsController], providers: [CatalogService, RequestsService] })
export class RequestsModule {}
