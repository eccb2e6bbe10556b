import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createReportBody, createReportHtml, escapeHtml } from '@/entrypoints/log/report';
import { useLocaleMessages } from '../../support/fake-i18n';
import { createTestStore, deleteTestDatabases } from '../../utils/log/helpers';

beforeEach(() => {
  fakeBrowser.reset();
  useLocaleMessages('zh-CN');
});
afterEach(deleteTestDatabases);

describe('printable report', () => {
  it('shows per contact what was demanded, the matched scripts and the timeline, all escaped', async () => {
    const { store } = await createTestStore();
    await store.addEntry({
      number: '138-0013-8000',
      name: '<b>王经理</b>',
      said: '逾期了<script>alert(1)</script>',
      demanded: '转账5000元到指定账户',
      scripts: ['zh-fake-debt-collection'],
      risk: 'high',
    });
    await store.addEntry({ number: '+86 138 0013 8000', channel: 'sms', said: '最后通牒', demanded: '提供验证码' });
    const body = createReportBody(store.getLiveContacts(), 'zh-CN', Date.UTC(2025, 5, 1));
    expect(body).not.toContain('<script>');
    expect(body).toContain('逾期了&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).toContain('&lt;b&gt;王经理&lt;/b&gt; — +86 138 0013 8000');
    expect(body).toContain('转账5000元到指定账户');
    expect(body).toContain('提供验证码');
    // The catalogue's short name of the script, not only its id.
    expect(body).toContain('<strong>冒充催收</strong> — 以');
    expect(body).not.toContain('冒充催收</strong> — 冒充催收');
    expect(body.match(/<tr data-event-id="[^"]+">/g)).toHaveLength(2);
    expect(body).toContain('对方的要求');

    const html = createReportHtml(store.getLiveContacts(), 'zh-CN');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('@media print');
  });

  it('lists the latest contact first, numbers as people read them, and no empty demand column', async () => {
    const { store } = await createTestStore();
    await store.addEntry({ number: '95555', at: Date.UTC(2025, 4, 1), said: '银行卡冻结' });
    await store.addEntry({ number: '+85291234567', at: Date.UTC(2025, 4, 3), said: '快递理赔' });
    await store.addEntry({ number: '13800138000', at: Date.UTC(2025, 4, 2), said: '逾期', demanded: '转账' });
    const body = createReportBody(store.getLiveContacts(), 'zh-CN', Date.UTC(2025, 5, 1));
    const headings = [...body.matchAll(/<h2>([^<]*)<\/h2>/g)].map((match) => match[1]);
    expect(headings).toEqual(['+852 9123 4567', '+86 138 0013 8000', '95555']);
    // The demand column appears only in the table of the contact that has a demand.
    const tables = body.split('<table>').slice(1);
    expect(tables.map((table) => table.includes('<th>对方要求什么</th>'))).toEqual([false, true, false]);
  });

  it('escapes every HTML special character', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
