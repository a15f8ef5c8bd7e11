/** Small presentational pieces shared by the pages. */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Checkpoint } from '@govchain/core';
import { useI18n } from './i18n.js';
import { VerificationError } from './verify.js';

/**
 * The outcome of a check. `ok` is only ever used for something this page verified
 * itself; `fail` is an alert (announced at once by screen readers), never green.
 */
export function Verdict(props: { kind: 'ok' | 'fail' | 'info' | 'pending'; title: string; children?: ComponentChildren; testId?: string }): JSX.Element {
  const icon = props.kind === 'ok' ? '\u2713' : props.kind === 'fail' ? '\u26a0' : props.kind === 'pending' ? '\u2026' : 'i';
  return (
    <div class={`verdict verdict-${props.kind}`} role={props.kind === 'fail' ? 'alert' : 'status'} data-verdict={props.kind} data-testid={props.testId}>
      <span class="verdict-icon" aria-hidden="true">{icon}</span>
      <div>
        <p class="verdict-title">{props.title}</p>
        {props.children}
      </div>
    </div>
  );
}

/** A hash or id: monospace, wraps anywhere so narrow screens never scroll sideways. */
export function Mono(props: { children: ComponentChildren }): JSX.Element {
  return <code class="mono">{props.children}</code>;
}

/** A definition list of label/value rows. */
export function Fields(props: { rows: [string, ComponentChildren][] }): JSX.Element {
  return (
    <dl class="fields">
      {props.rows.map(([k, v]) => (
        <div class="field" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A `<time>` in the locale's format. */
export function Time(props: { iso: string }): JSX.Element {
  const { date } = useI18n();
  return <time dateTime={props.iso}>{date(props.iso)}</time>;
}

/** The page heading: receives focus after navigation (see router.tsx). */
export function PageTitle(props: { children: ComponentChildren }): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (document.body.dataset.navigated === '1') ref.current?.focus();
    document.title = `${ref.current?.textContent ?? ''} · govchain`;
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {props.children}
    </h1>
  );
}

/** State of an async load. */
export type Loaded<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'error'; error: Error };

/** Run `load` when `deps` change; stale results are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [s, setS] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setS({ state: 'loading' });
    load().then(
      (value) => live && setS({ state: 'done', value }),
      (error: Error) => live && setS({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return s;
}

/** Loading and error states of a load, or its content. */
export function Show<T>(props: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }): JSX.Element {
  const { t } = useI18n();
  const l = props.loaded;
  if (l.state === 'loading') return <p aria-busy="true">{t('loading')}</p>;
  if (l.state === 'error') return <Verdict kind="fail" title={t('error.load', { reason: l.error.message })} />;
  return <>{props.children(l.value)}</>;
}

/**
 * Loading and error states of a load whose content was verified: a failed verification
 * (a {@link VerificationError}) is the red "verification FAILED" alert with its reason,
 * and nothing of the answer is shown; other errors are load errors.
 */
export function ShowVerified<T>(props: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }): JSX.Element {
  const { t } = useI18n();
  const l = props.loaded;
  if (l.state === 'error' && l.error instanceof VerificationError) {
    return (
      <Verdict kind="fail" title={t('registry.failed')} testId="verdict">
        <p>{l.error.message}</p>
      </Verdict>
    );
  }
  return <Show loaded={l}>{props.children}</Show>;
}

/** The tick for records proven in this page against a quorum-verified checkpoint. */
export function ProvenVerdict(props: { count: number; checkpoint: Checkpoint }): JSX.Element {
  const { t } = useI18n();
  return (
    <Verdict kind="ok" title={t('registry.verified', { count: props.count, size: props.checkpoint.size, height: props.checkpoint.height })} testId="verdict" />
  );
}
