import { mergeSettings } from '../organization.service';

describe(mergeSettings.name, () => {
  it('keeps what the request does not name and merges notification preferences', () => {
    const current = { timezone: 'UTC', notification_preferences: { email: true, slack: false }, legacy: 1 };
    expect(mergeSettings(current, { notification_preferences: { slack: true } })).toEqual({
      timezone: 'UTC',
      notification_preferences: { email: true, slack: true },
      legacy: 1,
    });
    expect(mergeSettings(current, { timezone: 'asia/tokyo' })).toMatchObject({ timezone: 'Asia/Tokyo' });
    expect(mergeSettings({}, { notification_preferences: { email: false, slack: undefined } })).toEqual({ notification_preferences: { email: false } });
    expect(mergeSettings(current, undefined)).toEqual(current);
  });
});
