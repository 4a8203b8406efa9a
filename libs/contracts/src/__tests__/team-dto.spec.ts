import { parseInput } from '@opsplane/errors';
import { canonicalTimeZone, isIanaTimeZone, snakeKeys, UpdateOrganizationDto } from '..';

describe('team and organization contracts', () => {
  describe(isIanaTimeZone.name, () => {
    it('accepts IANA names and refuses anything else', () => {
      for (const tz of ['UTC', 'Etc/UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'europe/paris']) {
        expect({ tz, ok: isIanaTimeZone(tz) }).toEqual({ tz, ok: true });
      }
      for (const tz of ['Mars/Olympus_Mons', '', ' UTC', 'UTC; DROP TABLE', '+01:00', 42, null, 'a'.repeat(100)]) {
        expect({ tz, ok: isIanaTimeZone(tz) }).toEqual({ tz, ok: false });
      }
      expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    });
  });

  describe(snakeKeys.name, () => {
    it('maps camelCase keys and reports conflicting spellings', () => {
      expect(snakeKeys({ notificationPreferences: 1, timezone: 'UTC' })).toEqual({ value: { notification_preferences: 1, timezone: 'UTC' }, conflicts: [] });
      expect(snakeKeys({ fooBar: 1, foo_bar: 1 }).conflicts).toEqual([]);
      expect(snakeKeys({ fooBar: 1, foo_bar: 2 }).conflicts).toEqual(['foo_bar']);
    });
  });

  describe(UpdateOrganizationDto.name, () => {
    it('accepts both spellings of the nested settings keys', async () => {
      const dto = await parseInput(UpdateOrganizationDto, { name: ' Acme ', settings: { timezone: 'UTC', notificationPreferences: { email: true, slack: false } } });
      expect(dto.name).toBe('Acme');
      expect({ ...dto.settings, notification_preferences: { ...dto.settings!.notification_preferences } }).toEqual({
        timezone: 'UTC',
        notification_preferences: { email: true, slack: false },
      });
      const snake = await parseInput(UpdateOrganizationDto, { settings: { notification_preferences: { slack: true } } });
      expect(snake.settings?.notification_preferences?.slack).toBe(true);
    });

    it('names each failing field', async () => {
      const fields = async (body: unknown) =>
        parseInput(UpdateOrganizationDto, body).then(
          () => [],
          (e: { details: { fields: { field: string }[] } }) => e.details.fields.map((f) => f.field),
        );
      await expect(fields({ settings: { timezone: 'Nowhere/Land' } })).resolves.toEqual(['settings.timezone']);
      await expect(fields({ settings: { notificationPreferences: { email: 'yes' } } })).resolves.toEqual(['settings.notification_preferences.email']);
      await expect(fields({ settings: [] })).resolves.toContain('settings');
      await expect(fields({ settings: { notificationPreferences: { email: true }, notification_preferences: { email: false } } })).resolves.toEqual(['settings.conflicting_keys']);
      await expect(fields({ name: null })).resolves.toContain('name');
      await expect(fields({})).resolves.toEqual([]);
    });
  });
});
