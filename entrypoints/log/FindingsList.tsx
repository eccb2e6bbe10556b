import { getFindingMessage } from '@/components/log/messages';
import { t } from '@/utils/i18n';
import type { CallerFinding } from '@/utils/log';

const SEVERITY_CLASS = { danger: 'notice notice-danger', warning: 'notice notice-warn', info: 'notice' } as const;

/** Findings with their explanation and the source of the rule behind each. */
export function FindingsList(props: { findings: CallerFinding[]; id?: string }) {
  return (
    <ul id={props.id} class="log-findings">
      {props.findings.map((finding) => (
        <li
          key={`${finding.ruleId}-${finding.code}`}
          class={SEVERITY_CLASS[finding.severity]}
          data-finding={finding.code}
        >
          <p>{getFindingMessage(finding)}</p>
          {finding.source ? (
            <p class="muted">
              {t('log.who.source')}{' '}
              {finding.source.url ? (
                <a href={finding.source.url} target="_blank" rel="noreferrer">
                  {finding.source.title}
                </a>
              ) : (
                finding.source.title
              )}
              {' — '}
              {finding.source.note}
            </p>
          ) : (
            <p class="muted">{t('log.who.fromYourLog')}</p>
          )}
        </li>
      ))}
    </ul>
  );
}
