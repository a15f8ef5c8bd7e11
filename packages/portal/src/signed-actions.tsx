/**
 * Pieces shared by the signed-in registry pages (land, procurement, health): the notice
 * for a visitor who is not signed in, and a hook that runs one signed transaction
 * (`signAndSubmit`: signed in the browser, receipt proven) with busy and error state.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { JsonValue } from '@govchain/core';
import { PageTitle, Verdict } from './components.js';
import { useI18n } from './i18n.js';
import { Link } from './router.js';
import { signAndSubmit } from './session.js';

/** Shown instead of a signed-in page to a visitor who is not signed in (or lacks the role). */
export function SignInFirst(props: { title: string; message?: string }): JSX.Element {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{props.title}</PageTitle>
      <Verdict kind="info" title={props.message ?? t('land.signInFirst')}>
        <p>
          <Link href="/sign-in">{t('nav.signin')}</Link>
        </p>
      </Verdict>
    </>
  );
}

/** A signed action: `run` signs and submits one transaction, then calls `done`; `error` holds a refusal's message. */
export interface SignedAction {
  busy: boolean;
  error: string | undefined;
  run(type: string, payload: { [k: string]: JsonValue }): Promise<boolean>;
}

/** Run signed transactions with busy and error state; `done` runs after each success (e.g. reload the page's data). */
export function useSignedAction(done: () => void): SignedAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  return {
    busy,
    error,
    async run(type, payload) {
      setBusy(true);
      setError(undefined);
      try {
        await signAndSubmit(type, payload);
        done();
        return true;
      } catch (e) {
        setError((e as Error).message);
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}
