export { authService, AuthModule } from './auth.module';
export { AuthConfig } from './config';
export { TenantsService } from './tenants/tenants.service';
