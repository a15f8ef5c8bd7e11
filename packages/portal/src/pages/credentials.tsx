/**
 * My credentials: the SD-JWT VCs agencies delivered to my documents (`GET /v1/documents`,
 * media type `application/dc+sd-jwt`), each verified here against proven ledger state
 * (credential-check.ts); I choose which claims to disclose and get the `GCVC1:` QR code of
 * that presentation (QR generation with the `qr` package, drawn as SVG by Preact).
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fromBase64 } from '@govchain/core';
import { useChain } from '../app.js';
import { checkCredential, credentialsSdk, disclosableClaims, type CredentialCheck } from '../credential-check.js';
import { Mono, PageTitle, Show, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { authedJson, type Session } from '../session.js';
import { WithSession } from './identity.js';
import { CredentialResult } from './verify-credential.js';

export function CredentialsPage(): JSX.Element {
  const { t } = useI18n();
  return <WithSession title={t('creds.title')}>{(s) => <Credentials session={s} />}</WithSession>;
}

interface Held {
  digest: string;
  sdJwt: string;
  check: CredentialCheck;
}

function Credentials(props: { session: Session }): JSX.Element {
  const { t } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(async () => {
    const { documents } = await authedJson<{ documents: Array<{ digest: string; mediaType: string }> }>('/v1/documents');
    const out: Held[] = [];
    for (const d of documents.filter((x) => x.mediaType === 'application/dc+sd-jwt')) {
      const doc = await authedJson<{ content: string }>(`/v1/documents/${d.digest}`);
      const sdJwt = new TextDecoder().decode(fromBase64(doc.content));
      out.push({ digest: d.digest, sdJwt, check: await checkCredential(sdJwt, trust) });
    }
    return out;
  }, [props.session.did]);
  return (
    <>
      <PageTitle>{t('creds.title')}</PageTitle>
      <p class="lead">{t('creds.intro')}</p>
      <Show loaded={loaded}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('creds.none')}</p>
          ) : (
            <ul class="cards cards-wide">
              {list.map((c) => (
                <li class="card" key={c.digest} data-testid="credential">
                  <HeldCredential held={c} />
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </>
  );
}

function HeldCredential(props: { held: Held }): JSX.Element {
  const { t } = useI18n();
  const claims = disclosableClaims(props.held.sdJwt);
  const [chosen, setChosen] = useState<string[]>(claims.map((c) => c.name));
  const [qr, setQr] = useState<{ payload: string; grid: boolean[][] } | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void (async () => {
      const sdk = await credentialsSdk();
      const payload = sdk.encodeCredentialQr(await sdk.presentCredential(props.held.sdJwt, chosen));
      const { encodeQR } = await import('qr');
      const grid = encodeQR(payload, 'raw', { ecc: 'low' });
      if (live) setQr({ payload, grid });
    })();
    return () => {
      live = false;
    };
  }, [chosen.join(',')]);
  const id = props.held.digest.slice(0, 12);
  return (
    <>
      <CredentialResult check={props.held.check} />
      <fieldset>
        <legend>{t('creds.disclose')}</legend>
        {claims.map((c) => (
          <div key={c.name}>
            <input
              type="checkbox"
              id={`${id}-${c.name}`}
              checked={chosen.includes(c.name)}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                setChosen((x) => (on ? [...x, c.name] : x.filter((n) => n !== c.name)));
              }}
            />{' '}
            <label for={`${id}-${c.name}`}>
              {c.name}: {String(c.value)}
            </label>
          </div>
        ))}
      </fieldset>
      {qr === undefined ? (
        <p aria-busy="true">{t('loading')}</p>
      ) : (
        <>
          <QrCode grid={qr.grid} label={t('creds.qr', { n: chosen.length })} />
          <details>
            <summary>{t('creds.payload')}</summary>
            <p>
              <Mono>
                <span data-testid="qr-payload">{qr.payload}</span>
              </Mono>
            </p>
          </details>
        </>
      )}
    </>
  );
}

/** A QR code drawn as one SVG path (a quiet zone of 4 modules around it). */
export function QrCode(props: { grid: boolean[][]; label: string }): JSX.Element {
  const n = props.grid.length;
  let d = '';
  props.grid.forEach((row, y) => row.forEach((on, x) => on && (d += `M${x + 4} ${y + 4}h1v1h-1z`)));
  return (
    <div class="qr" data-testid="qr">
      <svg viewBox={`0 0 ${n + 8} ${n + 8}`} role="img" aria-label={props.label} shape-rendering="crispEdges">
        <rect width={n + 8} height={n + 8} fill="#fff" />
        <path d={d} fill="#000" />
      </svg>
    </div>
  );
}
