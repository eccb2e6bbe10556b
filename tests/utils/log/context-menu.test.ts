import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { getDb } from '@/utils/db';
import { getLoggableNumber, logSelectedNumber } from '@/utils/log/context-menu';
import { saveSettings } from '@/utils/settings';
import { useLocaleMessages } from '../../support/fake-i18n';

beforeEach(async () => {
  fakeBrowser.reset();
  useLocaleMessages('en');
  await saveSettings({ defaultCountry: 'CN' });
  await Promise.all([getDb().logContacts.clear(), getDb().logMeta.clear()]);
});

describe('context menu: a selected number', () => {
  it('accepts numbers and short service numbers, not free text', () => {
    expect(getLoggableNumber(' 138-0013-8000 ', 'CN')).toBe('138-0013-8000');
    expect(getLoggableNumber('+852 9123 4567', 'CN')).toBe('+852 9123 4567');
    expect(getLoggableNumber('95 555', 'CN')).toBe('95 555');
    expect(getLoggableNumber('call me tomorrow', 'CN')).toBeNull();
    expect(getLoggableNumber('1234', 'CN')).toBeNull();
    expect(getLoggableNumber('x'.repeat(50), 'CN')).toBeNull();
  });

  it('logs the selection with source "context-menu" and says so in a notification', async () => {
    const created = vi.spyOn(fakeBrowser.notifications, 'create').mockResolvedValue('log-added' as never);
    await logSelectedNumber('138 0013 8000');
    await logSelectedNumber('+86 138-0013-8000');
    await logSelectedNumber('not a number at all');
    const contacts = await getDb().logContacts.toArray();
    expect(contacts).toHaveLength(1);
    expect(contacts[0]?.number.e164).toBe('+8613800138000');
    expect(contacts[0]?.events.map((event) => event.source)).toEqual(['context-menu', 'context-menu']);
    const messages = created.mock.calls.map((call) => (call[1] as unknown as { message: string }).message);
    expect(messages).toEqual([
      'Added 138 0013 8000 to the log. Open the log to add what they said.',
      'Added another contact from +86 138-0013-8000 to its timeline in the log.',
      'The selected text is not a phone number, so nothing was logged.',
    ]);
  });
});
