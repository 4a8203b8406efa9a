import { Actor } from '@opsplane/contracts';

/** What a verified credential yields: its tenant and who is acting. */
export interface Principal {
  tenant_id: string;
  actor: Actor;
  /** When the credential was issued (JWT) or last vouched for (API token), in ms. */
  credential_at: number;
}
