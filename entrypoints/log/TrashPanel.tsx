import { formatDateTime, getLogErrorMessage } from '@/components/log/messages';
import { t } from '@/utils/i18n';
import type { LogStore } from '@/utils/log';
import { getContactTitle } from './LogList';

/** Deleted contacts stay here until the user empties the trash: nothing saved is lost silently. */
export function TrashPanel(props: {
  store: LogStore;
  version: number;
  onMessage: (text: string, kind: 'ok' | 'danger') => void;
  confirm: (options: { title: string; message: string; confirmLabel: string; onConfirm: () => void }) => void;
}) {
  const deleted = props.store.listDeleted();
  async function run(action: () => Promise<void>) {
    try {
      await action();
    } catch (error) {
      props.onMessage(getLogErrorMessage(error), 'danger');
    }
  }
  return (
    <section aria-labelledby="trash-heading">
      <h2 id="trash-heading">{t('log.trash.heading')}</h2>
      <p class="muted">{t('log.trash.intro')}</p>
      {deleted.length === 0 ? (
        <p id="trash-empty">{t('log.trash.empty')}</p>
      ) : (
        <>
          <ul id="trash-list" class="log-list">
            {deleted.map((contact) => (
              <li key={contact.id} data-contact-id={contact.id} class="row">
                <span>{getContactTitle(contact)}</span>
                <span class="muted">{t('log.trash.deletedAt', [formatDateTime(contact.deletedAt ?? 0)])}</span>
                <button
                  type="button"
                  class="secondary"
                  onClick={() =>
                    void run(async () => {
                      if (contact.deleteToken) await props.store.undoDelete(contact.deleteToken);
                      props.onMessage(t('log.undo.done'), 'ok');
                    })
                  }
                >
                  {t('log.trash.restore')}
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            id="trash-purge"
            class="danger"
            onClick={() =>
              props.confirm({
                title: t('log.trash.purgeTitle'),
                message: t('log.trash.purgeMessage', [deleted.length]),
                confirmLabel: t('log.trash.purge'),
                onConfirm: () =>
                  void run(async () => {
                    await props.store.purgeDeleted();
                    props.onMessage(t('log.trash.purged'), 'ok');
                  }),
              })
            }
          >
            {t('log.trash.purge')}
          </button>
        </>
      )}
    </section>
  );
}
