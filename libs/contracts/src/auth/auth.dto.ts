import { tokenScopes } from '@opsplane/registry';
import { IsRfc3339DateTime } from '../common/time';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PERMISSIONS, Permission, Role, ROLES } from '../common/context';
import { IsOptionalNonNull } from '../common/optional';
import { ChangedSinceQueryDto } from '../common/pagination';

const lower = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

export class LoginDto {
  @lower()
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}

export class RefreshDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  refresh_token!: string;
}

/** Areas an API token's scope may name; `full` is every tenant-plane area. */
/** `full`, or the routes of one service (libs/registry/services.json: tokenScope). */
export const TOKEN_SCOPES: readonly string[] = tokenScopes();
export type TokenScope = string;

export class CreateApiTokenDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @ArrayUnique()
  @IsIn(PERMISSIONS, { each: true })
  permissions: Permission[] = ['read'];

  @IsOptionalNonNull()
  @IsIn(TOKEN_SCOPES)
  scope: TokenScope = 'full';

  @IsOptional()
  @IsRfc3339DateTime()
  expires_at?: string;
}

export class RevokeApiTokenDto {
  @IsIn(['revoke'])
  action!: 'revoke';

  @IsUUID()
  token_id!: string;
}

export class TokenIdDto {
  @IsUUID()
  id!: string;
}

export class VerifyApiTokenDto {
  @IsString()
  @MaxLength(512)
  token!: string;
}

export class ProvisionTenantDto {
  @IsOptional()
  @IsUUID()
  tenant_id?: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsOptional()
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { message: 'slug must be lowercase letters, digits and dashes' })
  slug?: string;

  @lower()
  @IsEmail()
  admin_email!: string;

  /** Without it, the owner gets an invitation (its token is in the answer, once) and sets a password on accepting it. */
  @IsOptionalNonNull()
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  admin_password?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  admin_name?: string;
}

/** Internal (system actor only until team invitations exist): adds a user with a role to a tenant. */
export class CreateUserDto {
  @IsUUID()
  tenant_id!: string;

  @lower()
  @IsEmail()
  email!: string;

  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsIn(ROLES)
  role!: Role;
}

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface TokenPairView {
  token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: UserView;
}

/** The caller's tokens, newest first; `updated_since` keeps those created, used or revoked since. */
export class ListApiTokensQueryDto extends ChangedSinceQueryDto {}

export interface ApiTokenView {
  id: string;
  name: string;
  token_prefix: string;
  permissions: Permission[];
  scope: string;
  expires_at: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  status: 'active' | 'revoked' | 'expired';
}

export interface CreatedApiTokenView {
  token: string;
  token_data: ApiTokenView;
}

export interface MeView {
  user: {
    id: string;
    email: string;
    name: string;
    organization_id: string;
    role: Role;
    is_api_token_auth: boolean;
    token_permissions: Permission[];
    token_scope: string;
  };
  auth_method: 'jwt' | 'api_token';
}

/** What the gateway learns from a valid API token. */
export interface VerifiedApiToken {
  tenant_id: string;
  token_id: string;
  user_id: string;
  email: string;
  role: Role;
  permissions: Permission[];
  scope: string;
  expires_at: string | null;
}

export interface OwnerInvitationView {
  email: string;
  token: string;
  accept_url: string;
  expires_at: string;
}

export interface ProvisionedTenantView {
  tenant_id: string;
  name: string;
  slug: string;
  /** The owner, when created with a password; else the owner's invitation. */
  owner: UserView | null;
  owner_invitation: OwnerInvitationView | null;
}

export interface TenantStatusView {
  tenant_id: string;
  status: 'active' | 'suspended';
}

export { ROLES };
