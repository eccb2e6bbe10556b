import { t } from '@/utils/i18n';
import { SCAM_CATALOGUE, type ScamCategory, type ScamScript } from '@/utils/scam';
import { pickLocalised, useCatalogueText } from './catalogueText';
import { categoryKey, withoutLead } from './ScamResultView';

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

/**
 * The quotes of an example as written in the locale files ('"…"', or several: '"…" / "…"'),
 * without their straight quotation marks: the page sets the language's own.
 */
function splitQuotes(example: string): string[] {
  return example.split(/["”」]\s*\/\s*["“「]/).map((quote) => quote.replace(/^["“「]|["”」]$/g, ''));
}

/** "Learn": every category with an example, why it is a scam, the right response, and hotlines. */
export function LearnPage() {
  const textsReady = useCatalogueText();
  const byCategory = new Map<ScamCategory, ScamScript[]>();
  for (const script of SCAM_CATALOGUE.scripts) {
    const list = byCategory.get(script.category) ?? [];
    list.push(script);
    byCategory.set(script.category, list);
  }
  const categories = ORDER.filter((category) => byCategory.has(category));
  return (
    <main class="page page-wide learn">
      <header class="page-header">
        <h1>{t('scam.learn.title')}</h1>
      </header>
      <p>{t('scam.learn.intro')}</p>
      <p class="notice notice-warn learn-rules">{t('scam.learn.rules')}</p>
      <nav aria-labelledby="learn-contents-h" class="learn-contents">
        <h2 id="learn-contents-h">{t('scam.learn.contents')}</h2>
        <ol>
          {categories.map((category) => (
            <li key={category}>
              <a href={`#learn-${category}`}>{t(`scam.categories.${categoryKey(category)}`)}</a>
            </li>
          ))}
          <li>
            <a href="#hotlines">{t('scam.learn.hotlinesTitle')}</a>
          </li>
        </ol>
      </nav>
      {textsReady &&
        categories.map((category) => {
          const key = categoryKey(category);
          // One script per category is enough to explain it; Chinese scripts come first.
          const script = byCategory.get(category)![0]!;
          return (
            <article class="learn-card" id={`learn-${category}`} key={category} aria-labelledby={`learn-${category}-h`}>
              <h2 id={`learn-${category}-h`}>{t(`scam.categories.${key}`)}</h2>
              <h3>{t('scam.learn.example')}</h3>
              <blockquote>
                {splitQuotes(t(`scam.learn.examples.${key}`)).map((quote) => (
                  <p key={quote}>{quote}</p>
                ))}
              </blockquote>
              <h3>{t('scam.learn.why')}</h3>
              <p>{withoutLead(pickLocalised(script.explanation))}</p>
              <div class="learn-response">
                <h3>{t('scam.learn.response')}</h3>
                <p>{pickLocalised(script.advice)}</p>
              </div>
            </article>
          );
        })}
      <section id="hotlines" aria-labelledby="hotlines-h" class="learn-hotlines">
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
