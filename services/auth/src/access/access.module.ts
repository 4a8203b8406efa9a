import { Module } from '@nestjs/common';
import { AccessController } from './access.controller';
import { AccessService } from './access.service';

/** Access changes: revocations recorded with the write and broadcast to every gateway. */
@Module({ controllers: [AccessController], providers: [AccessService], exports: [AccessService] })
export class AccessModule {}
