import { useState } from 'preact/hooks';
import { Field } from '@/components/Field';
import { getLogErrorMessage } from '@/components/log/messages';
import { t } from '@/utils/i18n';
import { isLogError, type LogStore, MIN_PASSPHRASE_LENGTH } from '@/utils/log';

const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

/** The shared message for a wrong passphrase also covers altered backup files; here only the passphrase can be wrong. */
function getLockErrorMessage(failure: unknown): string {
  return isLogError(failure) && failure.code === 'wrong-passphrase'
    ? t('log.unlock.wrongPassphrase')
    : getLogErrorMessage(failure);
}

/** Turning the passphrase lock on or off, changing it, and locking now. */
export function LockPanel(props: { store: LogStore }) {
  const { store } = props;
  const locked = store.isLockConfigured();
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [oldPassphrase, setOldPassphrase] = useState('');
  // The "turn off" form has its own field: typing in one form must not fill the other.
  const [disablePassphrase, setDisablePassphrase] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [disableError, setDisableError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function checkNew(): boolean {
    if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
      setError(t('log.error.passphraseTooShort', [MIN_PASSPHRASE_LENGTH]));
      return false;
    }
    if (passphrase !== confirm) {
      setError(t('log.lock.mismatch'));
      return false;
    }
    if (!understood) {
      setError(t('log.lock.mustUnderstand'));
      return false;
    }
    return true;
  }

  async function run(action: () => Promise<void>, done: string, onError = setError) {
    setBusy(true);
    setError(null);
    setDisableError(null);
    setMessage(null);
    try {
      await action();
      setPassphrase('');
      setConfirm('');
      setOldPassphrase('');
      setDisablePassphrase('');
      setUnderstood(false);
      setMessage(done);
    } catch (failure) {
      onError(getLockErrorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  const understand = (
    <div class="checkbox">
      <input
        id="lock-understand"
        type="checkbox"
        checked={understood}
        onChange={(e) => setUnderstood((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for="lock-understand">{t('log.lock.understand')}</label>
    </div>
  );

  return (
    <section aria-labelledby="lock-heading">
      <h2 id="lock-heading">{t('log.lock.heading')}</h2>
      <p class="muted">{locked ? t('log.lock.onIntro') : t('log.lock.offIntro')}</p>
      <p class="notice notice-warn" id="lock-warning">
        {t('log.lock.warning')}
      </p>
      {message && (
        <p id="lock-message" class="notice notice-ok" role="status">
          {message}
        </p>
      )}
      {!locked ? (
        <form
          class="log-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (checkNew()) void run(() => store.enableLock(passphrase), t('log.lock.enabled'));
          }}
        >
          <Field
            id="lock-passphrase"
            label={t('log.lock.passphrase')}
            hint={t('log.lock.passphraseHint', [MIN_PASSPHRASE_LENGTH])}
            error={error}
          >
            {(aria) => (
              <input
                {...aria}
                type="password"
                autocomplete="new-password"
                value={passphrase}
                onInput={(e) => setPassphrase(value(e))}
              />
            )}
          </Field>
          <Field id="lock-passphrase-confirm" label={t('log.lock.confirm')}>
            {(aria) => (
              <input
                {...aria}
                type="password"
                autocomplete="new-password"
                value={confirm}
                onInput={(e) => setConfirm(value(e))}
              />
            )}
          </Field>
          {understand}
          <button type="submit" id="lock-enable" disabled={busy}>
            {busy ? t('log.lock.working') : t('log.lock.enable')}
          </button>
        </form>
      ) : (
        <>
          {/* "Lock now" is the button in the page header, always in view while the log is open. */}
          <h3 class="log-section-heading">{t('log.lock.changeHeading')}</h3>
          <form
            class="log-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (checkNew()) void run(() => store.changePassphrase(oldPassphrase, passphrase), t('log.lock.changed'));
            }}
          >
            <Field id="lock-old-passphrase" label={t('log.lock.current')} error={error}>
              {(aria) => (
                <input
                  {...aria}
                  type="password"
                  autocomplete="current-password"
                  value={oldPassphrase}
                  onInput={(e) => setOldPassphrase(value(e))}
                />
              )}
            </Field>
            <Field
              id="lock-passphrase"
              label={t('log.lock.newPassphrase')}
              hint={t('log.lock.passphraseHint', [MIN_PASSPHRASE_LENGTH])}
            >
              {(aria) => (
                <input
                  {...aria}
                  type="password"
                  autocomplete="new-password"
                  value={passphrase}
                  onInput={(e) => setPassphrase(value(e))}
                />
              )}
            </Field>
            <Field id="lock-passphrase-confirm" label={t('log.lock.confirm')}>
              {(aria) => (
                <input
                  {...aria}
                  type="password"
                  autocomplete="new-password"
                  value={confirm}
                  onInput={(e) => setConfirm(value(e))}
                />
              )}
            </Field>
            {understand}
            <button type="submit" id="lock-change" disabled={busy}>
              {t('log.lock.change')}
            </button>
          </form>
          <h3 class="log-section-heading">{t('log.lock.disableHeading')}</h3>
          <p class="muted">{t('log.lock.disableIntro')}</p>
          <form
            class="log-form"
            onSubmit={(event) => {
              event.preventDefault();
              void run(() => store.disableLock(disablePassphrase), t('log.lock.disabled'), setDisableError);
            }}
          >
            <Field id="lock-disable-passphrase" label={t('log.lock.current')} error={disableError}>
              {(aria) => (
                <input
                  {...aria}
                  type="password"
                  autocomplete="current-password"
                  value={disablePassphrase}
                  onInput={(e) => setDisablePassphrase(value(e))}
                />
              )}
            </Field>
            <button type="submit" id="lock-disable" class="secondary" disabled={busy}>
              {t('log.lock.disable')}
            </button>
          </form>
        </>
      )}
    </section>
  );
}

/** Shown instead of the log while it is locked. A wrong passphrase says so and changes nothing. */
export function UnlockScreen(props: { store: LogStore }) {
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="unlock-heading" id="log-locked">
      <h2 id="unlock-heading">{t('log.unlock.heading')}</h2>
      <p>{t('log.unlock.intro')}</p>
      <form
        class="log-form"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await props.store.unlock(passphrase);
            setPassphrase('');
          } catch (failure) {
            setError(getLockErrorMessage(failure));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field id="unlock-passphrase" label={t('log.lock.passphrase')} error={error}>
          {(aria) => (
            <input
              {...aria}
              type="password"
              autocomplete="current-password"
              value={passphrase}
              onInput={(e) => setPassphrase(value(e))}
            />
          )}
        </Field>
        <button type="submit" id="unlock-submit" disabled={busy}>
          {busy ? t('log.lock.working') : t('log.unlock.submit')}
        </button>
      </form>
      <p class="muted">{t('log.unlock.forgotten')}</p>
    </section>
  );
}
