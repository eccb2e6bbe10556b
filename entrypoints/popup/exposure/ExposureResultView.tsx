import { useEffect } from 'preact/hooks';
import { browser } from 'wxt/browser';
import {
  type ExposedDataset,
  type ExposureError,
  type ExposureResult,
  formatPublishedDate,
  getDatasetTitle,
  getReportRegion,
  type ManifestDataset,
} from '@/utils/exposure';
import { getUiLanguage, t } from '@/utils/i18n';
import type { NormalizedPhone, PhoneErrorReason } from '@/utils/phone';
import { getErrorMessage, getFieldLabel } from './messages';

/** What the panel shows below the form. */
export type ExposureOutcome =
  | { kind: 'invalid'; reason: PhoneErrorReason }
  | { kind: 'checking'; phone: NormalizedPhone }
  | { kind: 'result'; phone: NormalizedPhone; result: ExposureResult };

function openSettings(event: Event) {
  event.preventDefault();
  void browser.runtime.openOptionsPage();
}

function SettingsLink() {
  return (
    <p>
      <a href={browser.runtime.getURL('/options.html')} class="exposure-settings-link" onClick={openSettings}>
        {t('exposure.openSettings')}
      </a>
    </p>
  );
}

function DatasetList(props: { datasets: (ExposedDataset | ManifestDataset)[]; class: string }) {
  const lang = getUiLanguage();
  const numbers = new Intl.NumberFormat(lang);
  return (
    <ul class={props.class}>
      {props.datasets.map((dataset) => (
        <li key={dataset.id} data-dataset={dataset.id}>
          {t('exposure.datasetLine', [
            getDatasetTitle(dataset.title, lang),
            formatPublishedDate(dataset.published, lang),
            numbers.format(dataset.records),
          ])}
        </li>
      ))}
    </ul>
  );
}

/** Where to report, chosen by the number's own country. */
function ReportAdvice(props: { country: string | undefined }) {
  const region = getReportRegion(props.country);
  const text = {
    CN: () => t('exposure.reportCN'),
    US: () => t('exposure.reportUS'),
    HK: () => t('exposure.reportHK'),
    TW: () => t('exposure.reportTW'),
    other: () => t('exposure.reportOther'),
  }[region]();
  return (
    <div class="exposure-report" data-region={region}>
      <p>{text}</p>
      {region === 'US' && (
        <p>
          <a href="https://reportfraud.ftc.gov/" target="_blank" rel="noreferrer">
            ReportFraud.ftc.gov
          </a>
        </p>
      )}
    </div>
  );
}

function FoundView(props: { phone: NormalizedPhone; result: Extract<ExposureResult, { status: 'found' }> }) {
  const { result } = props;
  return (
    <>
      <div class="notice notice-danger">
        <h2 id="exposure-result-title" tabIndex={-1}>
          {t('exposure.foundTitle')}
        </h2>
        <p class="exposure-checked">{t('exposure.checkedNumber', [props.phone.international])}</p>
        <p>{t('exposure.foundIntro')}</p>
      </div>
      <h3>{t('exposure.foundDatasets')}</h3>
      {result.datasets.length > 0 ? (
        <DatasetList datasets={result.datasets} class="exposure-datasets" />
      ) : (
        <p class="exposure-datasets">{t('exposure.datasetUndescribed')}</p>
      )}
      <h3>{t('exposure.foundFields')}</h3>
      {result.fields.length > 0 ? (
        <ul class="exposure-fields">
          {result.fields.map((field) => (
            <li key={field} data-field={field}>
              {getFieldLabel(field)}
            </li>
          ))}
        </ul>
      ) : (
        <p class="exposure-fields">{t('exposure.fieldsUnknown')}</p>
      )}
      <h3>{t('exposure.adviceTitle')}</h3>
      <ul class="exposure-advice">
        <li>{t('exposure.adviceCallers')}</li>
        <li>{t('exposure.adviceCollectors')}</li>
        <li>{t('exposure.adviceCodes')}</li>
        {result.fields.includes('contacts') && <li>{t('exposure.adviceContacts')}</li>}
      </ul>
      <h3>{t('exposure.reportTitle')}</h3>
      <ReportAdvice country={props.phone.country} />
    </>
  );
}

function NotFoundView(props: { phone: NormalizedPhone; result: Extract<ExposureResult, { status: 'not-found' }> }) {
  const { datasets } = props.result.manifest;
  return (
    <>
      <div class="notice notice-ok">
        <h2 id="exposure-result-title" tabIndex={-1}>
          {t('exposure.notFoundTitle')}
        </h2>
        <p class="exposure-checked">{t('exposure.checkedNumber', [props.phone.international])}</p>
        <p>{t('exposure.notFoundMeaning')}</p>
      </div>
      <h3>{t('exposure.notFoundDatasets')}</h3>
      {datasets.length > 0 ? (
        <DatasetList datasets={datasets} class="exposure-datasets" />
      ) : (
        <p class="exposure-datasets">{t('exposure.notFoundNone')}</p>
      )}
      <p>{t('exposure.notFoundAdvice')}</p>
    </>
  );
}

function ErrorView(props: { error: ExposureError }) {
  const { error } = props;
  // A key or proof problem means someone may be answering in the server's name: shown as danger.
  const severe = error.code === 'key-changed' || error.code === 'proof-invalid';
  return (
    <div class={severe ? 'notice notice-danger' : 'notice notice-warn'}>
      <h2 id="exposure-result-title" tabIndex={-1}>
        {t('exposure.errorTitle')}
      </h2>
      <p class="exposure-error-message">{getErrorMessage(error)}</p>
      <p>{t('exposure.errorNotAnswer')}</p>
      {(error.code === 'not-configured' || error.code === 'key-changed') && <SettingsLink />}
      {error.detail && <p class="muted exposure-error-detail">{t('exposure.errorDetail', [error.detail])}</p>}
    </div>
  );
}

/** The answer area, `#exposure-result`, whose data-status/data-code the e2e tests read. */
export function ExposureResultView(props: { outcome: ExposureOutcome }) {
  const { outcome } = props;
  const status =
    outcome.kind === 'invalid' ? 'invalid' : outcome.kind === 'checking' ? 'checking' : outcome.result.status;
  const code =
    outcome.kind === 'invalid'
      ? outcome.reason
      : outcome.kind === 'result' && outcome.result.status === 'error'
        ? outcome.result.code
        : undefined;

  // Move focus to the answer's heading so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (outcome.kind !== 'result') return;
    (document.getElementById('exposure-result-title') as HTMLElement | null)?.focus();
  }, [outcome]);

  return (
    <section
      id="exposure-result"
      class="exposure-result"
      data-status={status}
      data-code={code}
      aria-busy={outcome.kind === 'checking' ? true : undefined}
      aria-labelledby={outcome.kind === 'result' ? 'exposure-result-title' : undefined}
    >
      {outcome.kind === 'invalid' && <p class="muted">{t('exposure.invalidNothingSent')}</p>}
      {outcome.kind === 'checking' && <p role="status">{t('exposure.checking')}</p>}
      {outcome.kind === 'result' && outcome.result.status === 'found' && (
        <FoundView phone={outcome.phone} result={outcome.result} />
      )}
      {outcome.kind === 'result' && outcome.result.status === 'not-found' && (
        <NotFoundView phone={outcome.phone} result={outcome.result} />
      )}
      {outcome.kind === 'result' && outcome.result.status === 'error' && <ErrorView error={outcome.result} />}
    </section>
  );
}
