import { useState } from 'preact/hooks';
import { Field } from '@/components/Field';
import { getLogErrorMessage, getValueLabels } from '@/components/log/messages';
import { getScriptLabel } from '@/components/log/scripts';
import { getUiLanguage, t } from '@/utils/i18n';
import { type CsvOptions, createLogCsv, type LogStore, MIN_PASSPHRASE_LENGTH } from '@/utils/log';
import { downloadText, getDatedFileName } from './download';
import { createReportHtml } from './report';

const PREFIX = 'exposure-guard-log';

function getCsvHeaders(): CsvOptions['headers'] {
  return {
    e164: t('log.field.e164'),
    numberAsEntered: t('log.field.numberAsEntered'),
    name: t('log.field.name'),
    channel: t('log.field.channel'),
    firstAt: t('log.field.firstAt'),
    lastAt: t('log.field.lastAt'),
    at: t('log.field.at'),
    count: t('log.field.count'),
    status: t('log.field.status'),
    risk: t('log.field.risk'),
    scripts: t('log.field.scripts'),
    tags: t('log.field.tags'),
    said: t('log.field.said'),
    demanded: t('log.field.demanded'),
    notes: t('log.field.notes'),
  };
}

/** Export (JSON, CSV, report, encrypted backup) and import with clear, localised errors. */
export function TransferPanel(props: { store: LogStore; onReport: () => void }) {
  const { store } = props;
  const [message, setMessage] = useState<{ text: string; kind: 'ok' | 'danger' } | null>(null);
  const [busy, setBusy] = useState(false);
  const [backupPassphrase, setBackupPassphrase] = useState('');
  const [backupConfirm, setBackupConfirm] = useState('');
  const [backupUnderstood, setBackupUnderstood] = useState(false);
  const [backupError, setBackupError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [importPassphrase, setImportPassphrase] = useState('');
  const [importError, setImportError] = useState<string | null>(null);
  const [importResult, setImportResult] = useState<string | null>(null);
  const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setMessage(null);
    try {
      await action();
    } catch (error) {
      setMessage({ text: getLogErrorMessage(error), kind: 'danger' });
    } finally {
      setBusy(false);
    }
  }

  function exportCsv(rows: 'contacts' | 'events') {
    const labels = getValueLabels();
    for (const script of store.getFacets().scripts) labels[script] = getScriptLabel(script);
    const csv = createLogCsv(store.getLiveContacts(), { rows, headers: getCsvHeaders(), labels });
    downloadText(
      csv,
      getDatedFileName(rows === 'events' ? `${PREFIX}-timeline` : PREFIX, 'csv'),
      'text/csv;charset=utf-8',
    );
    setMessage({ text: t('log.transfer.exported'), kind: 'ok' });
  }

  async function exportEncrypted(event: Event) {
    event.preventDefault();
    setBackupError(null);
    if ([...backupPassphrase].length < MIN_PASSPHRASE_LENGTH) {
      setBackupError(t('log.error.passphraseTooShort', [MIN_PASSPHRASE_LENGTH]));
      return;
    }
    if (backupPassphrase !== backupConfirm) {
      setBackupError(t('log.lock.mismatch'));
      return;
    }
    if (!backupUnderstood) {
      setBackupError(t('log.lock.mustUnderstand'));
      return;
    }
    await run(async () => {
      const text = await store.exportEncrypted(backupPassphrase);
      downloadText(text, getDatedFileName(`${PREFIX}-encrypted`, 'json'), 'application/json');
      setBackupPassphrase('');
      setBackupConfirm('');
      setMessage({ text: t('log.transfer.exportedEncrypted'), kind: 'ok' });
    });
  }

  async function importNow(event: Event) {
    event.preventDefault();
    setImportError(null);
    setImportResult(null);
    if (!file) {
      setImportError(t('log.transfer.chooseFile'));
      return;
    }
    setBusy(true);
    try {
      const result = await store.importFile(file, { passphrase: importPassphrase || undefined });
      setImportResult(t('log.transfer.imported', [result.contacts, result.created, result.merged, result.eventsAdded]));
      setImportPassphrase('');
    } catch (error) {
      setImportError(getLogErrorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="transfer-heading">
      <h2 id="transfer-heading">{t('log.transfer.exportHeading')}</h2>
      <p class="muted">{t('log.transfer.exportIntro')}</p>
      <div class="row">
        <button
          type="button"
          id="export-json"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              downloadText(await store.exportJson(), getDatedFileName(PREFIX, 'json'), 'application/json');
              setMessage({ text: t('log.transfer.exported'), kind: 'ok' });
            })
          }
        >
          {t('log.transfer.json')}
        </button>
        <button type="button" id="export-csv" class="secondary" disabled={busy} onClick={() => exportCsv('contacts')}>
          {t('log.transfer.csv')}
        </button>
        <button
          type="button"
          id="export-csv-events"
          class="secondary"
          disabled={busy}
          onClick={() => exportCsv('events')}
        >
          {t('log.transfer.csvEvents')}
        </button>
        <button type="button" id="export-report" class="secondary" disabled={busy} onClick={props.onReport}>
          {t('log.transfer.report')}
        </button>
        <button
          type="button"
          id="export-report-html"
          class="secondary"
          disabled={busy}
          onClick={() => {
            downloadText(
              createReportHtml(store.getLiveContacts(), getUiLanguage()),
              getDatedFileName(`${PREFIX}-report`, 'html'),
              'text/html;charset=utf-8',
            );
            setMessage({ text: t('log.transfer.exported'), kind: 'ok' });
          }}
        >
          {t('log.transfer.reportHtml')}
        </button>
      </div>
      {message && (
        <p
          id="transfer-message"
          class={`notice notice-${message.kind}`}
          role={message.kind === 'danger' ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}

      <h3>{t('log.transfer.encryptedHeading')}</h3>
      <p class="muted">{t('log.transfer.encryptedIntro')}</p>
      <p class="notice notice-warn">{t('log.lock.warning')}</p>
      <form class="log-form" onSubmit={exportEncrypted}>
        <Field
          id="backup-passphrase"
          label={t('log.lock.passphrase')}
          hint={t('log.lock.passphraseHint', [MIN_PASSPHRASE_LENGTH])}
          error={backupError}
        >
          {(aria) => (
            <input
              {...aria}
              type="password"
              autocomplete="new-password"
              value={backupPassphrase}
              onInput={(e) => setBackupPassphrase(value(e))}
            />
          )}
        </Field>
        <Field id="backup-passphrase-confirm" label={t('log.lock.confirm')}>
          {(aria) => (
            <input
              {...aria}
              type="password"
              autocomplete="new-password"
              value={backupConfirm}
              onInput={(e) => setBackupConfirm(value(e))}
            />
          )}
        </Field>
        <div class="checkbox">
          <input
            id="backup-understand"
            type="checkbox"
            checked={backupUnderstood}
            onChange={(e) => setBackupUnderstood((e.currentTarget as HTMLInputElement).checked)}
          />
          <label for="backup-understand">{t('log.lock.understand')}</label>
        </div>
        <button type="submit" id="export-encrypted" disabled={busy}>
          {t('log.transfer.encrypted')}
        </button>
      </form>

      <h2>{t('log.transfer.importHeading')}</h2>
      <p class="muted">{t('log.transfer.importIntro')}</p>
      <form class="log-form" onSubmit={importNow}>
        <Field id="import-file" label={t('log.transfer.file')} error={importError}>
          {(aria) => (
            <input
              {...aria}
              type="file"
              accept=".json,application/json"
              onChange={(e) => {
                setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null);
                setImportError(null);
                setImportResult(null);
              }}
            />
          )}
        </Field>
        <Field
          id="import-passphrase"
          label={t('log.transfer.importPassphrase')}
          hint={t('log.transfer.importPassphraseHint')}
        >
          {(aria) => (
            <input
              {...aria}
              type="password"
              autocomplete="off"
              value={importPassphrase}
              onInput={(e) => setImportPassphrase(value(e))}
            />
          )}
        </Field>
        <button type="submit" id="import-submit" disabled={busy}>
          {t('log.transfer.import')}
        </button>
      </form>
      {importResult && (
        <p id="import-result" class="notice notice-ok" role="status">
          {importResult}
        </p>
      )}
    </section>
  );
}
