import { t } from '@/utils/i18n';
import { SCAM_CATALOGUE, type ScamCategory, type ScamScript } from '@/utils/scam';
import { categoryKey, pickLocalised } from './ScamResultView';

/** Categories in the order a leaked borrower meets them: loan scripts first. */
const ORDER: ScamCategory[] = [
  'fake-debt-collection',
  'exposure-threat',
  'campus-loan-cancellation',
  'credit-record',
  'upfront-fee-loan',
  'predatory-loan',
  'debt-relief-agent',
  'impersonated-authority',
  'fake-customer-service',
  'account-takeover',
  'impersonated-contact',
  'unusual-payment',
  'sextortion',
  'prize-and-investment',
  'phishing',
];

/** "Learn": every category with an example, why it is a scam, the right response, and hotlines. */
export function LearnPage() {
  const byCategory = new Map<ScamCategory, ScamScript[]>();
  for (const script of SCAM_CATALOGUE.scripts) {
    const list = byCategory.get(script.category) ?? [];
    list.push(script);
    byCategory.set(script.category, list);
  }
  return (
    <main class="page page-wide">
      <header class="page-header">
        <h1>{t('scam.learn.title')}</h1>
      </header>
      <p>{t('scam.learn.intro')}</p>
      <p class="notice notice-warn">{t('scam.learn.rules')}</p>
      {ORDER.filter((category) => byCategory.has(category)).map((category) => {
        const key = categoryKey(category);
        // One script per language is enough to explain a category; Chinese first.
        const scripts = byCategory.get(category)!;
        const script = scripts[0]!;
        return (
          <article class="learn-card" id={`learn-${category}`} key={category} aria-labelledby={`learn-${category}-h`}>
            <h2 id={`learn-${category}-h`}>{t(`scam.categories.${key}`)}</h2>
            <h3>{t('scam.learn.example')}</h3>
            <blockquote>{t(`scam.learn.examples.${key}`)}</blockquote>
            <h3>{t('scam.learn.why')}</h3>
            <p>{pickLocalised(script.explanation)}</p>
            <h3>{t('scam.learn.response')}</h3>
            <p>{pickLocalised(script.advice)}</p>
          </article>
        );
      })}
      <section aria-labelledby="hotlines-h">
        <h2 id="hotlines-h">{t('scam.learn.hotlinesTitle')}</h2>
        <ul>
          <li>{t('scam.learn.hotlineCn')}</li>
          <li>{t('scam.learn.hotlineUs')}</li>
          <li>{t('scam.learn.hotlineElsewhere')}</li>
        </ul>
      </section>
    </main>
  );
}
