import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensService } from './api-tokens.service';

/** API tokens: created and managed by signed-in users, verified for the gateways; a revocation is an access change. */
@Module({ imports: [AccessModule], controllers: [ApiTokensController], providers: [ApiTokensService] })
export class ApiTokensModule {}
