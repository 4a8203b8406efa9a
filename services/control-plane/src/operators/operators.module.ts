import { Module } from '@nestjs/common';
import { OperatorsController } from './operators.controller';
import { OperatorsService } from './operators.service';

/** Control-plane operators: login (throttled) and the first operator. */
@Module({ controllers: [OperatorsController], providers: [OperatorsService] })
export class OperatorsModule {}
