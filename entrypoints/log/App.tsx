import { useEffect, useState } from 'preact/hooks';
import { BackgroundStatus } from '@/components/BackgroundStatus';
import { getLogErrorMessage } from '@/components/log/messages';
import { Tabs } from '@/components/Tabs';
import { getUiLanguage, t } from '@/utils/i18n';
import { AddEntryForm } from './AddEntryForm';
import { ConfirmDialog } from './ConfirmDialog';
import { ContactDetail } from './ContactDetail';
import { LockPanel, UnlockScreen } from './LockPanel';
import { LogList } from './LogList';
import { createReportBody, REPORT_CSS } from './report';
import { TransferPanel } from './TransferPanel';
import { TrashPanel } from './TrashPanel';
import { useLogStore } from './useLogStore';
import { WhoCalled } from './WhoCalled';
import './log.css';

type Section = 'list' | 'add' | 'who' | 'transfer' | 'trash' | 'lock';

interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
}

export function App() {
  const { store, state, version, defaultCountry, failure } = useLogStore();
  const [section, setSection] = useState<Section>('list');
  const [openId, setOpenId] = useState<string | null>(null);
  const [undo, setUndo] = useState<{ token: string; count: number } | null>(null);
  const [message, setMessage] = useState<{ text: string; kind: 'ok' | 'danger' } | null>(null);
  const [confirmRequest, setConfirmRequest] = useState<ConfirmRequest | null>(null);
  const [reporting, setReporting] = useState(false);

  // A lock set in another tab hides whatever was open here.
  useEffect(() => {
    if (state === 'locked') {
      setSection('list');
      setOpenId(null);
      setUndo(null);
      setReporting(false);
    }
  }, [state]);

  if (failure) {
    return (
      <main class="page page-wide">
        <h1>{t('log.title')}</h1>
        <p class="notice notice-danger" role="alert">
          {t('log.openFailed', [getLogErrorMessage(failure)])}
        </p>
      </main>
    );
  }

  if (reporting && store && state !== 'locked') {
    return (
      <main class="page page-wide log-report-page">
        <div class="row no-print log-report-toolbar">
          <button type="button" id="report-print" onClick={() => window.print()}>
            {t('log.report.print')}
          </button>
          <button type="button" id="report-close" class="secondary" onClick={() => setReporting(false)}>
            {t('log.report.close')}
          </button>
        </div>
        <style>{REPORT_CSS}</style>
        {/* Built from escaped text only (report.ts escapes every value). */}
        <div
          id="log-report"
          class="report"
          dangerouslySetInnerHTML={{ __html: createReportBody(store.getLiveContacts(), getUiLanguage()) }}
        />
      </main>
    );
  }

  const open = (id: string) => {
    setOpenId(id);
    setSection('list');
  };
  const onDeleted = (token: string, count: number) => setUndo({ token, count });
  const onMessage = (text: string, kind: 'ok' | 'danger') => setMessage({ text, kind });
  const confirm = (request: ConfirmRequest) => setConfirmRequest(request);

  return (
    <main class="page page-wide">
      <header class="page-header">
        <h1>{t('log.title')}</h1>
        {state === 'unlocked' && store && (
          <button type="button" id="log-lock-now" class="secondary" onClick={() => store.lockNow()}>
            {t('log.lock.lockNow')}
          </button>
        )}
      </header>
      <p>{t('log.intro')}</p>
      {state === 'loading' && <p role="status">{t('common.loading')}</p>}
      {store && state === 'locked' && <UnlockScreen store={store} />}
      {store && (state === 'plain' || state === 'unlocked') && (
        <>
          {store.getUnreadableCount() > 0 && (
            <p class="notice notice-danger" role="alert">
              {t('log.unreadable', [store.getUnreadableCount()])}
            </p>
          )}
          {undo && (
            <div id="log-undo-bar" class="notice row" role="status">
              <span>{t('log.undo.deleted', [undo.count])}</span>
              <button
                type="button"
                id="log-undo"
                onClick={async () => {
                  try {
                    await store.undoDelete(undo.token);
                    setUndo(null);
                    onMessage(t('log.undo.done'), 'ok');
                  } catch (error) {
                    onMessage(getLogErrorMessage(error), 'danger');
                  }
                }}
              >
                {t('log.undo.button')}
              </button>
              <button type="button" class="secondary" onClick={() => setUndo(null)}>
                {t('common.close')}
              </button>
            </div>
          )}
          {message && (
            <p
              id="log-message"
              class={`notice notice-${message.kind}`}
              role={message.kind === 'danger' ? 'alert' : 'status'}
            >
              {message.text}
            </p>
          )}
          <Tabs
            label={t('log.sections')}
            active={section}
            onSelect={(id) => {
              setSection(id as Section);
              setMessage(null);
              if (id !== 'list') setOpenId(null);
            }}
            tabs={[
              { id: 'list', label: t('log.tab.list') },
              { id: 'add', label: t('log.tab.add') },
              { id: 'who', label: t('log.tab.who') },
              { id: 'transfer', label: t('log.tab.transfer') },
              { id: 'trash', label: t('log.tab.trash') },
              { id: 'lock', label: t('log.tab.lock') },
            ]}
          >
            {section === 'list' &&
              (openId ? (
                <ContactDetail
                  store={store}
                  version={version}
                  id={openId}
                  defaultCountry={defaultCountry}
                  onBack={() => setOpenId(null)}
                  onDeleted={onDeleted}
                  onMessage={onMessage}
                  confirm={confirm}
                />
              ) : (
                <LogList
                  store={store}
                  version={version}
                  onOpen={open}
                  onDeleted={onDeleted}
                  onMessage={onMessage}
                  confirm={confirm}
                />
              ))}
            {section === 'add' && <AddEntryForm store={store} onOpen={open} />}
            {section === 'who' && <WhoCalled store={store} defaultCountry={defaultCountry} onOpen={open} />}
            {section === 'transfer' && <TransferPanel store={store} onReport={() => setReporting(true)} />}
            {section === 'trash' && (
              <TrashPanel store={store} version={version} onMessage={onMessage} confirm={confirm} />
            )}
            {section === 'lock' && <LockPanel store={store} />}
          </Tabs>
        </>
      )}
      <ConfirmDialog
        open={confirmRequest !== null}
        title={confirmRequest?.title ?? ''}
        message={confirmRequest?.message ?? ''}
        confirmLabel={confirmRequest?.confirmLabel ?? ''}
        danger
        onCancel={() => setConfirmRequest(null)}
        onConfirm={() => {
          const request = confirmRequest;
          setConfirmRequest(null);
          request?.onConfirm();
        }}
      />
      <footer class="page-footer">
        <BackgroundStatus />
      </footer>
    </main>
  );
}
