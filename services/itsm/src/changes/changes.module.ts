import { Module } from '@nestjs/common';
import { ChangesController } from './changes.controller';
import { ChangesService } from './changes.service';
import { FreezeWindowsService } from './freeze-windows.service';

/** Change management: changes, their approvals and timeline, the approval policy, freeze windows and the calendar. */
@Module({ controllers: [ChangesController], providers: [ChangesService, FreezeWindowsService] })
export class ChangesModule {}
