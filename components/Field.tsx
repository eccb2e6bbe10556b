import type { ComponentChildren } from 'preact';

/**
 * A labelled control with optional hint and error, wired with aria-describedby so screen
 * readers announce both. `children` receives the ids to put on the control.
 */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | null;
  children: (aria: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ComponentChildren;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children({
        id: props.id,
        'aria-describedby': describedBy,
        'aria-invalid': props.error ? true : undefined,
      })}
      {props.hint && (
        <span class="field-hint" id={hintId}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span class="field-error" id={errorId} role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}
