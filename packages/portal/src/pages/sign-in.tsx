/**
 * Sign-in: import a key file or create a key (kept non-extractable in IndexedDB, see
 * session.ts), then sign in by challenge-response. Shows who the ledger says you are: the
 * DID's record verified with its state proof (kind, agency, roles, whether this key is an
 * active key of the DID).
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Fields, Mono, PageTitle, Verdict } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { createKey, importKeyFile, listKeys, removeKey, signInWith, signOut, useSession, type StoredKey } from '../session.js';

export function SignInPage(): JSX.Element {
  const { t } = useI18n();
  const session = useSession();
  const [keys, setKeys] = useState<StoredKey[] | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const refresh = (): void => void listKeys().then(setKeys, (e: Error) => setError(e.message));
  useEffect(refresh, []);

  async function run(f: () => Promise<unknown>): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      refresh();
    }
  }

  return (
    <>
      <PageTitle>{t('signin.title')}</PageTitle>
      <p class="lead">{t('signin.intro')}</p>
      {session !== undefined && (
        <Verdict kind={session.keyOnLedger ? 'ok' : 'fail'} title={t(session.keyOnLedger ? 'signin.ok' : 'signin.keyNotOnLedger')} testId="signed-in">
          <Fields
            rows={[
              [t('signin.did'), <Mono>{session.did}</Mono>],
              [t('signin.kind'), t(kindKey(session.kind))],
              ...(session.agency === undefined ? [] : ([[t('signin.agency'), <Mono>{session.agency}</Mono>]] as [string, JSX.Element][])),
              [t('signin.roles'), session.roles.length === 0 ? t('signin.noRoles') : session.roles.join(', ')],
            ]}
          />
          <p>{t('signin.verifiedAt', { size: session.verifiedAt ?? 0 })}</p>
          <p>
            <Link href={session.kind === 'officer' || session.kind === 'agency' ? '/officer' : '/services'}>{t('signin.continue')}</Link>
            {' · '}
            <button type="button" class="linkish" onClick={() => signOut()}>
              {t('signin.signOut')}
            </button>
          </p>
        </Verdict>
      )}
      {error !== undefined && (
        <Verdict kind="fail" title={t('signin.failed')} testId="signin-error">
          <p>{error}</p>
        </Verdict>
      )}
      <section aria-labelledby="keys-h">
        <h2 id="keys-h">{t('signin.keys')}</h2>
        {keys === undefined ? (
          <p aria-busy="true">{t('loading')}</p>
        ) : keys.length === 0 ? (
          <p>{t('signin.noKeys')}</p>
        ) : (
          <ul class="cards">
            {keys.map((k) => (
              <li key={k.kid} class="card">
                <p>
                  <strong>{k.label}</strong>
                </p>
                <p class="small">
                  <Mono>{k.did}</Mono>
                </p>
                <p class="actions">
                  <button type="button" disabled={busy} onClick={() => void run(() => signInWith(k.kid))} aria-label={t('signin.with', { label: k.label })}>
                    {t('signin.button')}
                  </button>
                  <button type="button" class="secondary" disabled={busy} onClick={() => void run(() => removeKey(k.kid))} aria-label={t('signin.remove', { label: k.label })}>
                    {t('signin.removeShort')}
                  </button>
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div class="verify-grid">
        <fieldset>
          <legend>{t('signin.import.legend')}</legend>
          <label for="key-file">{t('signin.import.label')}</label>
          <input
            type="file"
            id="key-file"
            accept=".key,.json,application/json"
            aria-describedby="key-file-help"
            disabled={busy}
            onChange={(e) => {
              const input = e.currentTarget as HTMLInputElement;
              const f = input.files?.[0];
              if (f !== undefined)
                void run(async () => {
                  const k = await importKeyFile(await f.text(), f.name.replace(/\.(key|json)$/, ''));
                  input.value = '';
                  await signInWith(k.kid);
                });
            }}
          />
          <p id="key-file-help" class="small">
            {t('signin.import.help')}
          </p>
        </fieldset>
        <fieldset>
          <legend>{t('signin.create.legend')}</legend>
          <p class="small">{t('signin.create.help')}</p>
          <button type="button" disabled={busy} onClick={() => void run(async () => signInWith((await createKey(t('signin.create.label'))).kid))}>
            {t('signin.create.button')}
          </button>
        </fieldset>
      </div>
      <p class="small">{t('signin.storage')}</p>
    </>
  );
}

/** The message key of a DID kind. */
export function kindKey(kind: string): 'kind.citizen' | 'kind.business' | 'kind.officer' | 'kind.agency' | 'kind.key' {
  return kind === 'citizen' || kind === 'business' || kind === 'officer' || kind === 'agency' ? `kind.${kind}` : 'kind.key';
}
