import { formatContactNumber, getChannelLabel, getRiskLabel, getStatusLabel } from '@/components/log/messages';
import { getScriptExplanation, getScriptLabel } from '@/components/log/scripts';
import { t } from '@/utils/i18n';
import type { LogContact } from '@/utils/log';

/**
 * The printable report for a complaint to the police, a platform or a regulator: per contact the number,
 * what was demanded, the matched scam scripts and the whole timeline. Plain HTML with its own print
 * stylesheet, so it prints the same from the preview in the log page or from the downloaded file.
 */

export const REPORT_CSS = `
.report { font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: #111;
  line-height: 1.45; max-width: 60rem; margin: 0 auto; }
.report h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
.report h2 { font-size: 1.15rem; margin: 1.5rem 0 .25rem; border-bottom: 2px solid #111; padding-bottom: .2rem; }
.report h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
.report .report-meta { color: #333; margin: 0 0 1rem; }
.report dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .25rem 0; }
.report dt { font-weight: 600; }
.report dd { margin: 0; white-space: pre-wrap; }
.report table { border-collapse: collapse; width: 100%; font-size: .9rem; }
.report th, .report td { border: 1px solid #555; padding: .25rem .4rem; text-align: left; vertical-align: top; }
.report td { white-space: pre-wrap; }
.report .report-nowrap { white-space: nowrap; }
.report .report-demanded { border-left: 4px solid #b3261e; padding: .25rem .6rem; background: #fdecea; }
.report section { break-inside: avoid-page; }
@media print {
  @page { margin: 15mm; }
  .report { max-width: none; }
  .report h2 { break-after: avoid; }
  .report tr { break-inside: avoid; }
  .report .report-demanded { background: none; }
}
`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function formatTime(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

function renderContact(contact: LogContact, lang: string): string {
  const e = escapeHtml;
  const number = formatContactNumber(contact.number);
  const events = contact.events.filter((event) => event.deletedAt === null);
  // A column of empty cells says nothing: "what they demanded" only when some entry has it.
  const demandedColumn = events.some((event) => event.demanded);
  const demands = [contact.demanded, ...events.map((event) => event.demanded)].filter(
    (text, i, all) => text && all.indexOf(text) === i,
  );
  const scripts = contact.scripts.length
    ? `<ul>${contact.scripts
        .map(
          (id) =>
            `<li data-script="${e(id)}"><strong>${e(getScriptLabel(id))}</strong>${getScriptExplanation(id) ? ` — ${e(getScriptExplanation(id))}` : ''}</li>`,
        )
        .join('')}</ul>`
    : `<p>${e(t('log.report.noScripts'))}</p>`;
  const rows = events
    .map(
      (event) =>
        `<tr data-event-id="${e(event.id)}"><td class="report-nowrap">${e(formatTime(event.at, lang))}</td>` +
        `<td class="report-nowrap">${e(getChannelLabel(event.channel))}</td>` +
        `<td>${e(event.numberInput)}</td><td>${e(event.said)}</td>` +
        `${demandedColumn ? `<td>${e(event.demanded)}</td>` : ''}</tr>`,
    )
    .join('');
  return `<section data-contact-id="${e(contact.id)}">
<h2>${e(contact.name ? `${contact.name} — ${number}` : number)}</h2>
<dl>
<dt>${e(t('log.field.number'))}</dt><dd>${e(number)}${contact.numberInputs.length > 1 ? ` (${e(contact.numberInputs.join(' / '))})` : ''}</dd>
<dt>${e(t('log.field.status'))}</dt><dd>${e(getStatusLabel(contact.status))}</dd>
<dt>${e(t('log.field.risk'))}</dt><dd>${e(getRiskLabel(contact.risk))}</dd>
<dt>${e(t('log.field.firstAt'))}</dt><dd>${e(formatTime(contact.firstAt, lang))}</dd>
<dt>${e(t('log.field.lastAt'))}</dt><dd>${e(formatTime(contact.lastAt, lang))}</dd>
<dt>${e(t('log.field.count'))}</dt><dd>${contact.count}</dd>
${contact.said ? `<dt>${e(t('log.field.said'))}</dt><dd>${e(contact.said)}</dd>` : ''}
${contact.notes ? `<dt>${e(t('log.field.notes'))}</dt><dd>${e(contact.notes)}</dd>` : ''}
${contact.tags.length ? `<dt>${e(t('log.field.tags'))}</dt><dd>${e(contact.tags.join(', '))}</dd>` : ''}
</dl>
<h3>${e(t('log.report.demanded'))}</h3>
${demands.length ? `<div class="report-demanded">${demands.map((text) => `<p>${e(text)}</p>`).join('')}</div>` : `<p>${e(t('log.report.nothingDemanded'))}</p>`}
<h3>${e(t('log.report.scripts'))}</h3>
${scripts}
<h3>${e(t('log.report.timeline'))}</h3>
<table><thead><tr><th>${e(t('log.field.at'))}</th><th>${e(t('log.field.channel'))}</th><th>${e(t('log.field.numberAsEntered'))}</th><th>${e(t('log.field.said'))}</th>${demandedColumn ? `<th>${e(t('log.field.demanded'))}</th>` : ''}</tr></thead>
<tbody>${rows}</tbody></table>
${
  contact.attachments.some((a) => a.deletedAt === null)
    ? `<p>${e(
        t('log.report.attachments', [
          contact.attachments
            .filter((a) => a.deletedAt === null)
            .map((a) => a.name)
            .join(', '),
        ]),
      )}</p>`
    : ''
}
</section>`;
}

/** The report's body (inside <div class="report">), for the in-page print preview. */
export function createReportBody(contacts: readonly LogContact[], lang: string, now = Date.now()): string {
  const e = escapeHtml;
  // As the log lists them: the latest contact first.
  const ordered = [...contacts].sort((a, b) => b.lastAt - a.lastAt);
  return `<h1>${e(t('log.report.title'))}</h1>
<p class="report-meta">${e(t('log.report.meta', [formatTime(now, lang), contacts.length]))}</p>
<p class="report-meta">${e(t('log.report.note'))}</p>
${ordered.map((contact) => renderContact(contact, lang)).join('\n')}`;
}

/** A complete HTML document to save and print or attach to a complaint. */
export function createReportHtml(contacts: readonly LogContact[], lang: string, now = Date.now()): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><title>${escapeHtml(t('log.report.title'))}</title>
<style>${REPORT_CSS}</style></head>
<body><div class="report">${createReportBody(contacts, lang, now)}</div></body></html>`;
}
