import type { ComponentChildren } from 'preact';
import { browser } from 'wxt/browser';
import { t } from '@/utils/i18n';
import type { ScamCategory, ScamCheckResult, ScamExplanation, ScamMatch } from '@/utils/scam';
import { pickLocalised, useCatalogueText } from './catalogueText';
import './scam.css';

export { pickLocalised } from './catalogueText';

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

/**
 * A catalogue explanation without its lead ("Phantom debt collector: a debt you…", "冒充催收：以…"):
 * the category heading above it already says that.
 */
export function withoutLead(explanation: string): string {
  const lead = /^[^:：]{1,40}[:：]\s*/.exec(explanation);
  const rest = lead ? explanation.slice(lead[0].length) : '';
  if (!rest) return explanation;
  return rest.charAt(0).toUpperCase() + rest.slice(1);
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
  scam: 'notice notice-danger scam-verdict',
  suspicious: 'notice notice-warn scam-verdict',
  safe: 'notice notice-ok scam-verdict',
};
const TITLE: Record<ScamCheckResult['verdict'], string> = {
  scam: 'scam.verdictScam',
  suspicious: 'scam.verdictSuspicious',
  safe: 'scam.verdictSafe',
};

/** Matched scripts grouped by category, in the order they were matched (strongest first). */
function groupByCategory(explanations: readonly ScamExplanation[]): [ScamCategory, ScamExplanation[]][] {
  const groups = new Map<ScamCategory, ScamExplanation[]>();
  for (const entry of explanations) groups.set(entry.category, [...(groups.get(entry.category) ?? []), entry]);
  return [...groups];
}

/** Verdict, highlighted text, and per matched category why it is a scam and what to do. */
export function ScamResultView(props: { text: string; result: ScamCheckResult; children?: ComponentChildren }) {
  const { text, result } = props;
  const learnUrl = browser.runtime.getURL('/learn.html');
  // A Traditional Chinese UI shows the catalogue's texts once its converter has loaded (a moment).
  const textsReady = useCatalogueText();
  return (
    <section id="scam-result" data-verdict={result.verdict} aria-labelledby="scam-verdict">
      <div class={NOTICE[result.verdict]} role={result.verdict === 'safe' ? 'status' : 'alert'}>
        <h2 id="scam-verdict">{t(TITLE[result.verdict])}</h2>
        <p class="scam-score">{t('scam.score', [Math.round(result.score * 100)])}</p>
        {result.verdict === 'safe' && <p>{t(result.advisory ? 'scam.advisoryNote' : 'scam.safeNote')}</p>}
      </div>
      {result.matches.length > 0 && (
        <>
          <h3 id="scam-highlight-label">{t('scam.highlighted')}</h3>
          <HighlightedText text={text} matches={result.matches} />
        </>
      )}
      {textsReady &&
        groupByCategory(result.explanations).map(([category, entries]) => (
          <div class="scam-category" key={category}>
            <h3>{t(`scam.categories.${categoryKey(category)}`)}</h3>
            {entries.map((entry, index) => {
              const advice = pickLocalised(entry.advice);
              const repeated = index > 0 && pickLocalised(entries[index - 1]!.advice) === advice;
              return (
                <div class="scam-script" key={entry.script} data-script={entry.script}>
                  <p>
                    <strong>{t('scam.why')}: </strong>
                    {withoutLead(pickLocalised(entry.explanation))}
                  </p>
                  {!repeated && (
                    <p class="scam-advice">
                      <strong>{t('scam.whatToDo')}: </strong>
                      {advice}
                    </p>
                  )}
                </div>
              );
            })}
          </div>
        ))}
      {result.verdict !== 'safe' && <p class="muted scam-hotlines">{t('scam.hotlines')}</p>}
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
