import type { ComponentChildren } from 'preact';

/** Loading, empty and error states: each says what is happening and what to do. */
export function Notice(props: { kind: 'loading' | 'empty' | 'error'; title: string; children?: ComponentChildren }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      <strong>{props.title}</strong>
      {props.children ? <div class="notice-body">{props.children}</div> : null}
    </div>
  );
}

export function ErrorNotice(props: { error: Error; retrying?: boolean }) {
  return (
    <Notice kind="error" title="Something went wrong">
      <p>{props.error.message}</p>
      {props.retrying ? <p>Retrying automatically every few seconds.</p> : null}
    </Notice>
  );
}
