import { ErrorCode } from '@opsplane/errors';
import { checkInvite, checkRemoval, checkRoleChange } from '../team.rules';

describe('team rules', () => {
  describe(checkInvite.name, () => {
    it('lets admins and owners invite, and only owners invite owners', () => {
      expect(checkInvite('owner', 'owner')).toBeNull();
      expect(checkInvite('admin', 'admin')).toBeNull();
      expect(checkInvite('admin', 'owner')?.code).toBe(ErrorCode.FORBIDDEN);
      expect(checkInvite('member', 'viewer')?.code).toBe(ErrorCode.FORBIDDEN);
      expect(checkInvite('viewer', 'viewer')?.code).toBe(ErrorCode.FORBIDDEN);
    });
  });

  describe(checkRoleChange.name, () => {
    it('needs an admin or owner', () => {
      expect(checkRoleChange('member', 'viewer', 'member', 2)?.code).toBe(ErrorCode.FORBIDDEN);
      expect(checkRoleChange('admin', 'viewer', 'member', 1)).toBeNull();
    });

    it('keeps the owner role to owners', () => {
      expect(checkRoleChange('admin', 'member', 'owner', 1)?.code).toBe(ErrorCode.FORBIDDEN);
      expect(checkRoleChange('admin', 'owner', 'member', 2)?.code).toBe(ErrorCode.FORBIDDEN);
      expect(checkRoleChange('owner', 'member', 'owner', 1)).toBeNull();
      expect(checkRoleChange('owner', 'owner', 'admin', 2)).toBeNull();
    });

    it('never demotes the last owner', () => {
      const e = checkRoleChange('owner', 'owner', 'admin', 1);
      expect(e?.code).toBe(ErrorCode.CONFLICT);
      expect(e?.message).toMatch(/last owner/);
      expect(checkRoleChange('owner', 'owner', 'owner', 1)).toBeNull();
    });
  });

  describe(checkRemoval.name, () => {
    it('protects owners from admins and the last owner from everyone', () => {
      expect(checkRemoval('member', 'viewer', 2)?.code).toBe(ErrorCode.FORBIDDEN);
      expect(checkRemoval('admin', 'member', 1)).toBeNull();
      expect(checkRemoval('admin', 'owner', 2)?.code).toBe(ErrorCode.FORBIDDEN);
      expect(checkRemoval('owner', 'owner', 2)).toBeNull();
      expect(checkRemoval('owner', 'owner', 1)?.code).toBe(ErrorCode.CONFLICT);
    });
  });
});
