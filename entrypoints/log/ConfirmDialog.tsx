import { useEffect, useRef } from 'preact/hooks';
import { t } from '@/utils/i18n';

/**
 * A modal confirmation (native <dialog>: focus is trapped and Escape cancels). Used instead of
 * window.confirm so the wording is ours and localised.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      id="confirm-dialog"
      class="log-dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-message"
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id="confirm-title">{props.title}</h2>
      <p id="confirm-message">{props.message}</p>
      <div class="row">
        <button type="button" id="confirm-yes" class={props.danger ? 'danger' : undefined} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
        <button type="button" id="confirm-no" class="secondary" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
