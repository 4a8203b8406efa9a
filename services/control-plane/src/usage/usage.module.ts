import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';

/** Usage metering: requests from the gateways, the other figures from their services (the registry's usage sources). */
@Module({ controllers: [UsageController], providers: [UsageService] })
export class UsageModule {}
