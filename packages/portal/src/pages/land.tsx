/**
 * Land in the portal (docs/registries.md, "Land"): a citizen's parcels with shares,
 * mortgages, freezes and their hash-chained history, all proven in the page; a transfer
 * co-signed by seller and buyer; the registrar's work list (transfer-tax invoice,
 * treasury confirmation, approval).
 *
 * Co-signing: `land.propose_transfer` needs BOTH parties' signatures in one envelope
 * (CONTRACT.md s.2). The seller builds the body and signs it in the browser; the page
 * gives a *signing request* (`GCLT1:` + base64url of the half-signed envelope) to send to
 * the buyer, as text or as a link to `/land/cosign#<request>`. The buyer opens it, sees
 * the transfer with the parcel proven, checks the seller's signature, adds their own and
 * submits. The request carries nothing secret: only the body and a signature over it, and
 * it expires with the body (24 hours).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { canonicalJson, checkEnvelope, fromBase64Url, resolveDidKey, sha256, signTx, toBase64Url, toHex, utf8, type JsonValue, type TxEnvelope } from '@govchain/core';
import { buildTxBody } from '@govchain/sdk';
import { useChain } from '../app.js';
import { client, ledgerSignerKeys } from '../chain.js';
import { Mono, PageTitle, ProvenVerdict, ShowVerified, Verdict, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { checkSummary, getJson, proveRecords, withRetry } from '../registry.js';
import { sessionSigner, useSession, verifiedTx, type Session } from '../session.js';
import { SignInFirst, useSignedAction } from '../signed-actions.js';
import { VerificationError } from '../verify.js';

interface Holding {
  holder: string;
  share: string;
}
interface Parcel {
  id: string;
  area: number;
  landUse: string;
  geometryDigest: string;
  owners: Holding[];
  status: string;
  version: number;
  head: string;
  mortgages: string[];
  frozen?: { by: string; reason: string; height: number };
}
interface HistoryEntry {
  n: number;
  action: string;
  txid: string;
  height: number;
  time: string;
  signer: string;
  prev: string | null;
}
interface Transfer {
  id: string;
  parcel: string;
  seller: string;
  buyer: string;
  share: string;
  price: number;
  tax: number;
  status: 'pending' | 'completed' | 'cancelled';
  invoice?: string;
}
interface Invoice {
  id: string;
  status: string;
  amount: number;
  payer: string;
}

/** Transfer tax: 2% of the price, rounded down (the land module's TRANSFER_TAX_BPS). */
const taxOf = (price: number): number => Math.floor((price * 200) / 10_000);
const REQUEST_PREFIX = 'GCLT1:';
const entryHash = (e: HistoryEntry): string => toHex(sha256(utf8(canonicalJson(e as unknown as JsonValue))));

/** Prove parcels and their whole history; check the hash chain and that `head` is its last link. */
async function proveParcels(trust: Parameters<typeof proveRecords>[0], answer: Parcel[]) {
  const p = await proveRecords<Parcel>(trust, 'land', answer.map((x) => `parcel/${x.id}`));
  const out: Array<{ parcel: Parcel; history: HistoryEntry[] }> = [];
  let count = answer.length;
  for (const a of answer) {
    const parcel = p.values.get(`parcel/${a.id}`) ?? null;
    if (parcel === null) throw new VerificationError(`parcel ${a.id} is not in the proven state`);
    checkSummary(`parcel ${a.id}`, a, parcel);
    const keys = Array.from({ length: parcel.version }, (_, i) => `parcel/${a.id}/history/${i + 1}`);
    const h = await proveRecords<HistoryEntry>(trust, 'land', keys);
    const history = keys.map((k) => h.values.get(k) ?? null);
    let prev: string | null = null;
    for (const [i, e] of history.entries()) {
      if (e === null || e.n !== i + 1 || e.prev !== prev) throw new VerificationError(`parcel ${a.id}: history entry ${i + 1} does not continue the chain`);
      prev = entryHash(e);
    }
    if (prev !== (parcel.version === 0 ? null : parcel.head)) throw new VerificationError(`parcel ${a.id}: the head is not the last history entry`);
    count += keys.length;
    out.push({ parcel, history: history as HistoryEntry[] });
  }
  return { parcels: out, checkpoint: p.checkpoint, count };
}

export function LandPage(): JSX.Element {
  const { t } = useI18n();
  const session = useSession();
  const { trust } = useChain();
  const loaded = useLoad(
    () =>
      session === undefined
        ? Promise.resolve(undefined)
        : withRetry(async () => proveParcels(trust, (await getJson<{ parcels: Parcel[] }>(`/v1/land/parcels?owner=${encodeURIComponent(session.did)}`))!.parcels)),
    [trust, session?.did],
  );
  if (session === undefined) return <SignInFirst title={t('land.title')} />;
  return (
    <>
      <PageTitle>{t('land.title')}</PageTitle>
      <p class="lead">{t('land.intro')}</p>
      <ShowVerified loaded={loaded}>
        {(v) =>
          v === undefined ? null : (
            <>
              <ProvenVerdict count={v.count} checkpoint={v.checkpoint} />
              {v.parcels.length === 0 ? <p>{t('land.none')}</p> : v.parcels.map(({ parcel, history }) => <ParcelCard key={parcel.id} parcel={parcel} history={history} session={session} />)}
              <p>
                <Link href="/land/cosign">{t('land.cosignLink')}</Link>
              </p>
            </>
          )
        }
      </ShowVerified>
    </>
  );
}

function ParcelCard(props: { parcel: Parcel; history: HistoryEntry[]; session: Session }): JSX.Element {
  const { t, num } = useI18n();
  const { parcel, history, session } = props;
  const mine = parcel.owners.find((o) => o.holder === session.did);
  return (
    <section class="card" aria-labelledby={`parcel-${parcel.id}`} data-testid={`parcel-${parcel.id}`}>
      <h2 id={`parcel-${parcel.id}`}>{t('land.parcel', { id: parcel.id })}</h2>
      <p>
        {t('land.area', { area: num(parcel.area) })} · {parcel.landUse}
        {parcel.frozen !== undefined && (
          <>
            {' '}
            <span class="badge badge-fail">{t('land.frozen')}</span>
          </>
        )}
        {parcel.mortgages.length > 0 && (
          <>
            {' '}
            <span class="badge badge-info">{t('land.mortgaged', { count: parcel.mortgages.length })}</span>
          </>
        )}
      </p>
      <h3>{t('land.owners')}</h3>
      <ul data-testid="owners">
        {parcel.owners.map((o) => (
          <li key={o.holder}>
            <Mono>{o.holder}</Mono>: {o.share}
            {o.holder === session.did && <> ({t('land.you')})</>}
          </li>
        ))}
      </ul>
      <details>
        <summary>{t('land.history', { count: history.length })}</summary>
        <ol data-testid="history">
          {history.map((e) => (
            <li key={e.n}>
              {e.action} · <Link href={`/txs/${e.txid}`}>{t('agencies.since', { height: num(e.height) })}</Link>
            </li>
          ))}
        </ol>
        <p class="small">{t('land.chain')}</p>
      </details>
      {mine !== undefined && parcel.frozen === undefined && parcel.mortgages.length === 0 && <SellForm parcel={parcel} share={mine.share} session={session} />}
    </section>
  );
}

/** The seller's half: build the transfer, sign it here, hand the request to the buyer. */
function SellForm(props: { parcel: Parcel; share: string; session: Session }): JSX.Element {
  const { t, money } = useI18n();
  const { trust } = useChain();
  const [buyer, setBuyer] = useState('');
  const [share, setShare] = useState(props.share);
  const [price, setPrice] = useState('');
  const [request, setRequest] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const id = props.parcel.id;
  const sign = async (): Promise<void> => {
    setError(undefined);
    try {
      const p = Number(price);
      if (!Number.isSafeInteger(p) || p < 0) throw new Error(t('land.badPrice'));
      const payload = { id: `T-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`, parcel: id, seller: props.session.did, buyer: buyer.trim(), share: share.trim(), price: p };
      const body = buildTxBody({ chain: trust.chainId, type: 'land.propose_transfer', signer: props.session.did, payload, expires: new Date(Date.now() + 24 * 3_600_000) });
      const env = await signTx(body, [await sessionSigner()]);
      setRequest(REQUEST_PREFIX + toBase64Url(utf8(JSON.stringify(env))));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <details>
      <summary>{t('land.sell')}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void sign();
        }}
      >
        <p>
          <label for={`buyer-${id}`}>{t('land.buyer')}</label>
          <br />
          <input id={`buyer-${id}`} type="text" class="wide" required value={buyer} onInput={(e) => setBuyer((e.target as HTMLInputElement).value)} />
        </p>
        <p>
          <label for={`share-${id}`}>{t('land.share')}</label>
          <br />
          <input id={`share-${id}`} type="text" required value={share} onInput={(e) => setShare((e.target as HTMLInputElement).value)} />
        </p>
        <p>
          <label for={`price-${id}`}>{t('land.price')}</label>
          <br />
          <input id={`price-${id}`} type="text" inputMode="numeric" required value={price} aria-describedby={`tax-${id}`} onInput={(e) => setPrice((e.target as HTMLInputElement).value)} />
        </p>
        <p id={`tax-${id}`} class="small">
          {t('land.taxNote', { tax: money(taxOf(Number(price) || 0)) })}
        </p>
        <button type="submit">{t('land.signRequest')}</button>
      </form>
      {error !== undefined && <Verdict kind="fail" title={error} />}
      {request !== undefined && (
        <Verdict kind="info" title={t('land.requestReady')} testId="request">
          <label for={`req-${id}`}>{t('land.requestLabel')}</label>
          <textarea id={`req-${id}`} class="request" readOnly rows={4} value={request} data-testid="request-text" />
          <p>
            <Link href={`/land/cosign#${request}`}>{t('land.requestLink')}</Link>
          </p>
        </Verdict>
      )}
    </details>
  );
}

/** Decode a signing request into the half-signed envelope (throws on anything else). */
function decodeRequest(text: string): TxEnvelope {
  const s = text.trim().replace(/^.*#/, '');
  if (!s.startsWith(REQUEST_PREFIX)) throw new Error('not a signing request');
  const env = JSON.parse(new TextDecoder().decode(fromBase64Url(s.slice(REQUEST_PREFIX.length)))) as TxEnvelope;
  if (env?.body?.type !== 'land.propose_transfer' || !Array.isArray(env.signatures)) throw new Error('not a land transfer request');
  return env;
}

/** The buyer's half: open the request, check it, co-sign and submit. */
export function CosignPage(): JSX.Element {
  const { t, money } = useI18n();
  const session = useSession();
  const { trust } = useChain();
  const [text, setText] = useState(location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : '');
  const [done, setDone] = useState<{ txid: string; size: number } | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const opened = useLoad(async () => {
    if (text.trim() === '') return undefined;
    const env = decodeRequest(text);
    const p = env.body.payload as unknown as Transfer;
    if (env.body.chain !== trust.chainId) throw new VerificationError('the request is for another chain');
    // The seller's signature, checked here (ledger-DID keys from the DID document's key history).
    const keys = await ledgerSignerKeys(env);
    let signers: string[];
    try {
      signers = checkEnvelope(env, {
        chainId: trust.chainId,
        now: Date.now(),
        resolveKey: (kid, did) => (did.startsWith('did:key:') ? resolveDidKey(kid, did) : keys[kid] ?? (() => { throw new Error(`no key ${kid}`); })()),
      }).signers;
    } catch (e) {
      throw new VerificationError(`the seller's signature: ${(e as Error).message}`);
    }
    if (!signers.includes(p.seller)) throw new VerificationError('the request is not signed by the seller');
    const proven = await proveRecords<Parcel>(trust, 'land', [`parcel/${p.parcel}`]);
    const parcel = proven.values.get(`parcel/${p.parcel}`) ?? null;
    if (parcel === null) throw new VerificationError(`parcel ${p.parcel} is not on the ledger`);
    return { env, transfer: p, parcel, checkpoint: proven.checkpoint };
  }, [text, trust]);
  if (session === undefined) return <SignInFirst title={t('land.cosignTitle')} />;
  const cosign = async (env: TxEnvelope): Promise<void> => {
    setError(undefined);
    try {
      const mine = await signTx(env.body, [await sessionSigner()]);
      const both: TxEnvelope = { body: env.body, signatures: [...env.signatures, ...mine.signatures] };
      const r = await client.submit(both, { wait: 'commit', timeoutMs: 30_000 });
      if (r.receipt === undefined) throw new Error(`transaction ${r.txid} did not commit in time`);
      if (r.receipt.status !== 'ok') throw new Error(t('land.refused', { code: r.receipt.code ?? 'failed' }));
      const proven = await verifiedTx(r.txid);
      setDone({ txid: r.txid, size: proven.checkpoint.size });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <PageTitle>{t('land.cosignTitle')}</PageTitle>
      <p class="lead">{t('land.cosignIntro')}</p>
      <p>
        <label for="cosign-request">{t('land.requestLabel')}</label>
        <textarea id="cosign-request" class="request" rows={4} value={text} onChange={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </p>
      <ShowVerified loaded={opened}>
        {(v) =>
          v === undefined ? null : (
            <section aria-labelledby="tr-h" data-testid="cosign">
              <h2 id="tr-h">{t('land.transferOf', { id: v.transfer.parcel })}</h2>
              <ProvenVerdict count={1} checkpoint={v.checkpoint} />
              <Verdict kind="ok" title={t('land.sellerSigned', { seller: v.transfer.seller })} />
              <ul>
                <li>
                  {t('land.buyer')}: <Mono>{v.transfer.buyer}</Mono> {v.transfer.buyer === session.did ? `(${t('land.you')})` : ''}
                </li>
                <li>
                  {t('land.share')}: {v.transfer.share}
                </li>
                <li>
                  {t('land.price')}: {money(v.transfer.price)} · {t('land.taxNote', { tax: money(taxOf(v.transfer.price)) })}
                </li>
                <li>
                  {t('land.owners')}: {v.parcel.owners.map((o) => `${o.share}`).join(', ')}
                </li>
              </ul>
              {v.transfer.buyer !== session.did ? (
                <Verdict kind="info" title={t('land.notBuyer')} />
              ) : done === undefined ? (
                <button type="button" onClick={() => void cosign(v.env)}>
                  {t('land.cosign')}
                </button>
              ) : (
                <Verdict kind="ok" title={t('land.submitted', { size: done.size })} testId="cosigned">
                  <p>
                    <Link href={`/txs/${done.txid}`}>{done.txid}</Link>
                  </p>
                </Verdict>
              )}
              {error !== undefined && <Verdict kind="fail" title={error} testId="cosign-error" />}
            </section>
          )
        }
      </ShowVerified>
    </>
  );
}

/** Registrars and treasury officers: pending transfers, their tax invoices, approval. */
export function LandOfficePage(): JSX.Element {
  const { t, money } = useI18n();
  const session = useSession();
  const { trust } = useChain();
  const [tick, setTick] = useState(0);
  const action = useSignedAction(() => setTick((n) => n + 1));
  const { busy, error } = action;
  const loaded = useLoad(
    () =>
      session === undefined
        ? Promise.resolve(undefined)
        : withRetry(async () => {
            const answer = (await getJson<{ transfers: Transfer[] }>('/v1/land/transfers?status=pending'))!;
            const p = await proveRecords<Transfer | string>(trust, 'land', answer.transfers.map((x) => `transfer/${x.id}`));
            const refs = await proveRecords<string>(trust, 'payments', answer.transfers.map((x) => `byref/land/transfer/${x.id}`));
            const rows = [];
            for (const a of answer.transfers) {
              const tr = p.values.get(`transfer/${a.id}`) as Transfer | null;
              if (tr === null) throw new VerificationError(`transfer ${a.id} is not in the proven state`);
              checkSummary(`transfer ${a.id}`, a, tr);
              const invoiceId = refs.values.get(`byref/land/transfer/${a.id}`) ?? null;
              const invoice = invoiceId === null ? null : ((await proveRecords<Invoice>(trust, 'payments', [`invoice/${invoiceId}`])).values.get(`invoice/${invoiceId}`) ?? null);
              rows.push({ transfer: tr, invoice });
            }
            return { rows, checkpoint: p.checkpoint };
          }),
    [trust, session?.did, tick],
  );
  if (session === undefined) return <SignInFirst title={t('land.officeTitle')} />;
  const registrar = session.roles.includes('land_registrar');
  const treasury = session.roles.includes('treasury_officer');
  const act = (type: string, payload: { [k: string]: JsonValue }): Promise<boolean> => action.run(type, payload);
  return (
    <>
      <PageTitle>{t('land.officeTitle')}</PageTitle>
      <p class="lead">{t('land.officeIntro')}</p>
      {error !== undefined && <Verdict kind="fail" title={error} testId="office-error" />}
      <ShowVerified loaded={loaded}>
        {(v) =>
          v === undefined ? null : (
            <>
              <ProvenVerdict count={v.rows.length} checkpoint={v.checkpoint} />
              {v.rows.length === 0 && <p>{t('land.noPending')}</p>}
              <ul class="cards">
                {v.rows.map(({ transfer: tr, invoice }) => (
                  <li key={tr.id} class="card" data-testid={`transfer-${tr.id}`}>
                    <h2 class="card-title">{t('land.transferOf', { id: tr.parcel })}</h2>
                    <p>
                      <Mono>{tr.id}</Mono> · {tr.share} · {money(tr.price)}
                    </p>
                    <p>
                      {t('land.seller')}: <Mono>{tr.seller}</Mono>
                    </p>
                    <p>
                      {t('land.buyer')}: <Mono>{tr.buyer}</Mono>
                    </p>
                    <p data-testid="invoice">
                      {invoice === null ? t('land.noInvoice', { tax: money(tr.tax) }) : t('land.invoice', { amount: money(invoice.amount), status: invoice.status })}
                    </p>
                    {registrar && invoice === null && (
                      <button type="button" disabled={busy} onClick={() => void act('payments.raise_invoice', { payer: tr.buyer, amount: tr.tax, currency: 'VND', purpose: `Land transfer tax ${tr.id}`, ref: { module: 'land', key: `transfer/${tr.id}` } })}>
                        {t('land.raise')}
                      </button>
                    )}
                    {treasury && invoice?.status === 'open' && (
                      <button type="button" disabled={busy} onClick={() => void act('payments.confirm_payment', { invoice: invoice.id, paymentRef: `PAY-${toHex(crypto.getRandomValues(new Uint8Array(6)))}` })}>
                        {t('land.confirm')}
                      </button>
                    )}
                    {registrar && invoice?.status === 'paid' && (
                      <button type="button" disabled={busy} onClick={() => void act('land.approve_transfer', { transfer: tr.id, invoice: invoice.id })}>
                        {t('land.approve')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )
        }
      </ShowVerified>
    </>
  );
}
