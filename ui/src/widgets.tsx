import type { ComponentChildren } from "preact";

/** A headline number; `data-metric`/`data-value` let tests compare it with the API. */
export function Stat(props: { label: string; metric: string; value: number | null | undefined; text: string; hint?: string }) {
  return (
    <div class="stat">
      <dt>{props.label}</dt>
      <dd data-metric={props.metric} data-value={props.value === null || props.value === undefined ? "" : String(props.value)} title={props.hint}>
        {props.text}
      </dd>
    </div>
  );
}

export function Section(props: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section aria-labelledby={props.id === undefined ? undefined : `${props.id}-title`} class="card">
      <h2 id={props.id === undefined ? undefined : `${props.id}-title`}>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function ErrorNote(props: { error: Error | null }) {
  return props.error === null ? null : (
    <p class="error" role="alert">
      {props.error.message}
    </p>
  );
}
