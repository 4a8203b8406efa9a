import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users: the signed-in user's profile, and users the platform adds directly (through the tenant's quota). */
@Module({ imports: [TenantsModule], controllers: [UsersController], providers: [UsersService] })
export class UsersModule {}
