/**
 * My identity: the signed-in DID's document (`GET /v1/dids/<did>`) and its key history,
 * taken from the ledger record verified in the page with its state proof; the document's
 * keys must be exactly the record's.
 */
import type { ComponentChildren, JSX } from 'preact';
import { didKeyFromPublicKey } from '@govchain/core';
import { client } from '../chain.js';
import { Fields, Mono, PageTitle, Show, Verdict, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { publicKeyBytes, useSession, verifiedRecord, type Session } from '../session.js';
import { kindKey } from './sign-in.js';

/** Shown instead of a page that needs sign-in. */
export function SignInNeeded(props: { title: string }): JSX.Element {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{props.title}</PageTitle>
      <p>{t('signin.needed')}</p>
      <p>
        <Link href="/sign-in">{t('signin.goto')}</Link>
      </p>
    </>
  );
}

/** Render `children` with the session, or the sign-in prompt. */
export function WithSession(props: { title: string; children: (s: Session) => ComponentChildren }): JSX.Element {
  const s = useSession();
  return s === undefined ? <SignInNeeded title={props.title} /> : <>{props.children(s)}</>;
}

export function IdentityPage(): JSX.Element {
  const { t } = useI18n();
  return <WithSession title={t('identity.title')}>{(s) => <Identity session={s} />}</WithSession>;
}

function Identity(props: { session: Session }): JSX.Element {
  const { t } = useI18n();
  const did = props.session.did;
  const loaded = useLoad(async () => {
    const { record, size } = await verifiedRecord(did);
    const doc = await client.did(did);
    // The served document's keys must be the verified record's active keys.
    const active = (record?.keys ?? []).filter((k) => k.revoked === undefined).map((k) => didKeyFromPublicKey(publicKeyBytes(k.publicKey)).slice('did:key:'.length));
    const served = doc.didDocument.verificationMethod.map((m) => m.publicKeyMultibase);
    const matches = did.startsWith('did:key:') || (active.length === served.length && active.every((k) => served.includes(k)));
    return { record, size, doc, matches };
  }, [did]);
  return (
    <>
      <PageTitle>{t('identity.title')}</PageTitle>
      <p class="lead">{t('identity.intro')}</p>
      <Show loaded={loaded}>
        {(v) => (
          <>
            {v.record === undefined && !did.startsWith('did:key:') ? (
              <Verdict kind="fail" title={t('identity.absent')} />
            ) : v.matches ? (
              <Verdict kind="ok" title={t('identity.verified', { size: v.size })} testId="identity-verdict" />
            ) : (
              <Verdict kind="fail" title={t('identity.mismatch')} testId="identity-verdict" />
            )}
            <Fields
              rows={[
                [t('signin.did'), <Mono>{did}</Mono>],
                [t('signin.kind'), t(kindKey(props.session.kind))],
                ...(v.record?.name === undefined ? [] : ([[t('identity.name'), v.record.name]] as [string, string][])),
                ...(v.record?.agency === undefined ? [] : ([[t('signin.agency'), <Mono>{v.record.agency}</Mono>]] as [string, JSX.Element][])),
                [t('signin.roles'), (v.record?.roles ?? []).join(', ') || t('signin.noRoles')],
                ...(v.record?.commitments === undefined ? [] : ([[t('identity.commitments'), Object.keys(v.record.commitments as object).join(', ')]] as [string, string][])),
              ]}
            />
            <h2>{t('identity.keys')}</h2>
            {v.record === undefined ? (
              <p>{t('identity.didKey')}</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('identity.key.id')}</th>
                    <th scope="col">{t('identity.key.added')}</th>
                    <th scope="col">{t('identity.key.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {v.record.keys.map((k) => (
                    <tr key={k.id}>
                      <td>
                        <Mono>{k.id}</Mono>
                        {`${did}#${k.id}` === props.session.kid && <span class="small"> ({t('identity.key.this')})</span>}
                      </td>
                      <td>
                        <Link href={`/blocks/${k.added}`}>{t('identity.key.block', { h: k.added })}</Link>
                      </td>
                      <td>{k.revoked === undefined ? t('identity.key.active') : t('identity.key.revoked', { h: k.revoked, reason: k.revokedReason ?? '' })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <details>
              <summary>{t('identity.document')}</summary>
              <pre>{JSON.stringify(v.doc.didDocument, null, 2)}</pre>
            </details>
          </>
        )}
      </Show>
    </>
  );
}
