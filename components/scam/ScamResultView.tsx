import type { ComponentChildren } from 'preact';
import { browser } from 'wxt/browser';
import { getUiLanguage, t } from '@/utils/i18n';
import type { LocalisedText, ScamCheckResult, ScamMatch } from '@/utils/scam';
import './scam.css';

/** Catalogue texts exist in zh-CN and en; every Chinese UI reads the zh-CN text. */
export function pickLocalised(text: LocalisedText, lang = getUiLanguage()): string {
  return lang.toLowerCase().startsWith('zh') ? text['zh-CN'] : text.en;
}

/** Non-overlapping [start, end) ranges covering every match (several scripts may share a phrase). */
export function mergeMatches(matches: readonly ScamMatch[]): [number, number][] {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: [number, number][] = [];
  for (const { start, end } of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** The checked text with the matched phrases in <mark>. */
export function HighlightedText(props: { text: string; matches: readonly ScamMatch[] }) {
  const parts: ComponentChildren[] = [];
  let at = 0;
  for (const [start, end] of mergeMatches(props.matches)) {
    if (start > at) parts.push(props.text.slice(at, start));
    parts.push(<mark key={start}>{props.text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(props.text.slice(at));
  return <div class="scam-text">{parts}</div>;
}

const NOTICE: Record<ScamCheckResult['verdict'], string> = {
  scam: 'notice notice-danger',
  suspicious: 'notice notice-warn',
  safe: 'notice notice-ok',
};
const TITLE: Record<ScamCheckResult['verdict'], string> = {
  scam: 'scam.verdictScam',
  suspicious: 'scam.verdictSuspicious',
  safe: 'scam.verdictSafe',
};

/** Verdict, highlighted text, and for every matched script why it is a scam and what to do. */
export function ScamResultView(props: { text: string; result: ScamCheckResult; children?: ComponentChildren }) {
  const { text, result } = props;
  const learnUrl = browser.runtime.getURL('/learn.html');
  return (
    <section id="scam-result" data-verdict={result.verdict} aria-live="polite">
      <div class={NOTICE[result.verdict]}>
        <h2>{t(TITLE[result.verdict])}</h2>
        <p>{t('scam.score', [Math.round(result.score * 100)])}</p>
        {result.verdict === 'safe' && <p>{t(result.advisory ? 'scam.advisoryNote' : 'scam.safeNote')}</p>}
      </div>
      {result.matches.length > 0 && (
        <>
          <h3 id="scam-highlight-label">{t('scam.highlighted')}</h3>
          <HighlightedText text={text} matches={result.matches} />
        </>
      )}
      {result.explanations.map((entry) => (
        <div class="scam-script" key={entry.script} data-script={entry.script}>
          <h3>{t(`scam.categories.${categoryKey(entry.category)}`)}</h3>
          <p>
            <strong>{t('scam.why')}: </strong>
            {pickLocalised(entry.explanation)}
          </p>
          <p>
            <strong>{t('scam.whatToDo')}: </strong>
            {pickLocalised(entry.advice)}
          </p>
        </div>
      ))}
      {result.verdict !== 'safe' && <p class="muted">{t('scam.hotlines')}</p>}
      {props.children}
      <p>
        <a href={learnUrl} target="_blank" rel="noreferrer">
          {t('scam.learnMore')}
        </a>
      </p>
    </section>
  );
}

/** "fake-debt-collection" → "fakeDebtCollection" (message names allow no hyphens). */
export function categoryKey(category: string): string {
  return category.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
