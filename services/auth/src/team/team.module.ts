import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { SessionsModule } from '../sessions/sessions.module';
import { InvitationsService } from './invitations.service';
import { TeamController } from './team.controller';
import { TeamService } from './team.service';

/** The team: members and their roles, invitations (an accepted one opens a session); a removal is an access change. */
@Module({ imports: [SessionsModule, AccessModule], controllers: [TeamController], providers: [TeamService, InvitationsService] })
export class TeamModule {}
