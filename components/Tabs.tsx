import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

export interface TabSpec {
  id: string;
  label: string;
}

/** WAI-ARIA tabs: arrow keys, Home and End move between tabs; only the active tab is in the tab order. */
export function Tabs(props: {
  tabs: TabSpec[];
  active: string;
  onSelect: (id: string) => void;
  label: string;
  children: ComponentChildren;
}) {
  const listRef = useRef<HTMLDivElement>(null);
  const index = props.tabs.findIndex((tab) => tab.id === props.active);

  function focusTab(next: number) {
    const count = props.tabs.length;
    const tab = props.tabs[(next + count) % count];
    if (!tab) return;
    props.onSelect(tab.id);
    listRef.current?.querySelector<HTMLElement>(`#tab-${tab.id}`)?.focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: props.tabs.length - 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    focusTab(next);
  }

  return (
    <>
      <div class="tabs" role="tablist" aria-label={props.label} ref={listRef} onKeyDown={onKeyDown}>
        {props.tabs.map((tab) => (
          <button
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            key={tab.id}
            aria-selected={tab.id === props.active}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === props.active ? 0 : -1}
            onClick={() => props.onSelect(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${props.active}`} aria-labelledby={`tab-${props.active}`}>
        {props.children}
      </div>
    </>
  );
}
