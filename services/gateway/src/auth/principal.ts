import { Actor } from '@opsplane/contracts';

/** What a verified credential yields: its tenant and who is acting. */
export interface Principal {
  tenant_id: string;
  actor: Actor;
}
