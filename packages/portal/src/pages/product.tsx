/**
 * "Verify a product": the page the QR code on a package points at (`/product/<batch>`),
 * and an entry page to paste a batch id or scan the QR code from a photo. The batch and
 * every batch it came from are proven against a verified checkpoint
 * (`supply/batch/<id>`); status, certifications (valid at the checkpoint's block time),
 * custody chain and origin are computed here from the proven records, and the node's
 * summary (GET /v1/supply/verify/<batch>) must agree. A recalled batch gets a prominent
 * warning.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useChain } from '../app.js';
import { Mono, PageTitle, ProvenVerdict, ShowVerified, Time, Verdict, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link, navigate } from '../router.js';
import { checkSummary, getJson, lightClientFor, withRetry } from '../registry.js';
import { VerificationError } from '../verify.js';
import { QrCode } from './credentials.js';

/** A batch as recorded (state `supply/batch/<id>`). */
interface Batch {
  id: string;
  producer: string;
  product: string;
  quantity: number;
  remaining: number;
  unit: string;
  holder: string;
  parents: Array<{ batch: string; quantity: number }>;
  children: string[];
  custody: Array<{ holder: string; height: number; time: string }>;
  certifications: Array<{ by: string; agency: string; standard: string; certificate: string; until: string; height: number }>;
  recalled?: { root: string; reason: string; by: string; height: number; time: string };
  created: number;
  time: string;
}
interface VerifyAnswer {
  batch: string;
  status: 'recalled' | 'certified' | 'uncertified';
  recalled: Batch['recalled'] | null;
  custody: Batch['custody'];
  certifications: Array<Batch['certifications'][number] & { valid: boolean }>;
  origin: Array<{ id: string; product: string; producer: string; recalled: boolean }>;
}

const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_ANCESTORS = 50;

/** The batch id in a pasted or scanned text: a bare id, or a portal / API URL ending in one. */
export function batchIdFrom(text: string): string | undefined {
  const s = text.trim();
  if (BATCH_ID.test(s)) return s;
  const m = /\/(?:product|supply\/verify|supply\/batches)\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/?(?:[?#].*)?$/.exec(s);
  return m?.[1];
}

export function ProductEntryPage(): JSX.Element {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const go = (value: string): void => {
    const id = batchIdFrom(value);
    if (id === undefined) {
      setError(t('product.badInput'));
      return;
    }
    navigate(`/product/${encodeURIComponent(id)}`);
  };
  const onPhoto = async (e: Event): Promise<void> => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    setError(undefined);
    try {
      const found = await decodeQrImage(file);
      setText(found);
      go(found);
    } catch {
      setError(t('product.noQr'));
    }
  };
  return (
    <>
      <PageTitle>{t('product.title')}</PageTitle>
      <p class="lead">{t('product.intro')}</p>
      <form
        class="entry"
        onSubmit={(e) => {
          e.preventDefault();
          go(text);
        }}
      >
        <div>
          <label for="batch-input">{t('product.input')}</label>
          <input id="batch-input" type="text" value={text} autoComplete="off" spellcheck={false} aria-describedby="batch-hint" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
          <p id="batch-hint" class="small">
            {t('product.inputHint')}
          </p>
        </div>
        <button type="submit">{t('product.check')}</button>
      </form>
      <div class="drop drop-compact">
        <label for="qr-photo">{t('product.scan')}</label>
        <input id="qr-photo" type="file" accept="image/*" capture="environment" onChange={(e) => void onPhoto(e)} />
        <p class="drop-hint">{t('product.scanHint')}</p>
      </div>
      {error !== undefined && <Verdict kind="info" title={error} testId="entry-error" />}
    </>
  );
}

/** Read a QR code from a photo: drawn on a canvas, decoded by the `qr` library. */
async function decodeQrImage(file: Blob): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const { default: decodeQR } = await import('qr/decode.js');
  return decodeQR({ width: img.width, height: img.height, data: img.data });
}

/** Prove a batch and its ancestors; compute what the page shows from the proven records only. */
async function proveBatch(trust: Parameters<typeof lightClientFor>[0], id: string) {
  const lc = await lightClientFor(trust);
  const prove = async (bid: string): Promise<{ batch: Batch | null; time: string; size: number; height: number }> => {
    try {
      const v = await lc.verified.state<Batch>('supply', `batch/${bid}`);
      return { batch: v.value, time: v.checkpoint.time, size: v.checkpoint.size, height: v.checkpoint.height };
    } catch (e) {
      throw new VerificationError(`supply/batch/${bid}: ${(e as Error).message}`);
    }
  };
  const root = await prove(id);
  if (root.batch === null) throw new VerificationError(`batch ${id} is proven absent from the ledger, yet the node described it`);
  const b = root.batch;
  const now = root.time;
  const certifications = b.certifications.map((c) => ({ ...c, valid: Date.parse(c.until) > Date.parse(now) }));
  const status: VerifyAnswer['status'] = b.recalled !== undefined ? 'recalled' : certifications.some((c) => c.valid) ? 'certified' : 'uncertified';
  const origin: Array<{ id: string; product: string; producer: string; recalled: boolean }> = [];
  const seen = new Set([id]);
  const queue = b.parents.map((p) => p.batch);
  while (queue.length > 0 && origin.length < MAX_ANCESTORS) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const p = (await prove(pid)).batch;
    if (p === null) continue;
    origin.push({ id: p.id, product: p.product, producer: p.producer, recalled: p.recalled !== undefined });
    queue.push(...p.parents.map((x) => x.batch));
  }
  const checkpoint = lc.lastCheckpoint()!;
  return { batch: b, status, certifications, origin, checkpoint, proven: origin.length + 1 };
}

export function ProductPage(props: { id: string }): JSX.Element {
  const { t, num } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(
    () =>
      withRetry(async () => {
        const answer = await getJson<VerifyAnswer>(`/v1/supply/verify/${encodeURIComponent(props.id)}`);
        if (answer === undefined) return undefined;
        const v = await proveBatch(trust, props.id);
        const { encodeQR } = await import('qr');
        const qr = encodeQR(`${location.origin}/product/${encodeURIComponent(props.id)}`, 'raw', { ecc: 'medium' });
        checkSummary(`batch ${props.id}`, { status: answer.status, recalled: answer.recalled, custody: answer.custody, origin: answer.origin }, { status: v.status, recalled: v.batch.recalled ?? null, custody: v.batch.custody, origin: v.origin });
        return { ...v, qr };
      }),
    [trust, props.id],
  );
  const here = `${location.origin}/product/${encodeURIComponent(props.id)}`;
  return (
    <>
      <PageTitle>{t('product.batchTitle', { id: props.id })}</PageTitle>
      <ShowVerified loaded={loaded}>
        {(v) => {
          if (v === undefined) {
            return (
              <Verdict kind="info" title={t('product.notFound', { id: props.id })} testId="verdict">
                <p>
                  <Link href="/product">{t('product.again')}</Link>
                </p>
              </Verdict>
            );
          }
          const { batch: b, status, certifications, origin, checkpoint, proven, qr } = v;
          return (
            <>
              {b.recalled !== undefined && (
                <div class="recall" role="alert" data-testid="recall">
                  <h2>
                    <span aria-hidden="true">⚠ </span>
                    {t('product.recalled')}
                  </h2>
                  <p>{b.recalled.root === b.id ? t('product.recalledSelf') : t('product.recalledFrom', { root: b.recalled.root })}</p>
                  <p>
                    {t('product.recalledWhen')} <Time iso={b.recalled.time} /> · {t('product.reason')} <Mono>{b.recalled.reason}</Mono>
                  </p>
                </div>
              )}
              <ProvenVerdict count={proven} checkpoint={checkpoint} />
              <p data-testid="product-status">
                {t('product.status')}:{' '}
                <span class={`badge ${status === 'recalled' ? 'badge-fail' : status === 'certified' ? 'badge-ok' : 'badge-info'}`}>
                  {t(status === 'recalled' ? 'product.st.recalled' : status === 'certified' ? 'product.st.certified' : 'product.st.uncertified')}
                </span>
              </p>
              <section aria-labelledby="what-h">
                <h2 id="what-h">{t('product.what')}</h2>
                <dl class="fields">
                  <div class="field">
                    <dt>{t('product.code')}</dt>
                    <dd>
                      <Mono>{b.product}</Mono>
                    </dd>
                  </div>
                  <div class="field">
                    <dt>{t('product.quantity')}</dt>
                    <dd>
                      {num(b.quantity)} {b.unit}
                    </dd>
                  </div>
                  <div class="field">
                    <dt>{t('product.producer')}</dt>
                    <dd>
                      <Mono>{b.producer}</Mono>
                    </dd>
                  </div>
                  <div class="field">
                    <dt>{t('product.holder')}</dt>
                    <dd>
                      <Mono>{b.holder}</Mono>
                    </dd>
                  </div>
                  <div class="field">
                    <dt>{t('product.created')}</dt>
                    <dd>
                      <Time iso={b.time} /> (<Link href={`/blocks/${b.created}`}>{t('agencies.since', { height: num(b.created) })}</Link>)
                    </dd>
                  </div>
                </dl>
              </section>
              <section aria-labelledby="cert-h">
                <h2 id="cert-h">{t('product.certs')}</h2>
                {certifications.length === 0 ? (
                  <p>{t('product.noCerts')}</p>
                ) : (
                  <ul data-testid="certs">
                    {certifications.map((c) => (
                      <li key={`${c.standard}-${c.height}`}>
                        <strong>{c.standard}</strong> <span class={`badge ${c.valid ? 'badge-ok' : 'badge-info'}`}>{t(c.valid ? 'product.certValid' : 'product.certExpired')}</span> · {t('product.until')} <Time iso={c.until} /> ·{' '}
                        {t('product.certBy')} <Mono>{c.by}</Mono>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section aria-labelledby="custody-h">
                <h2 id="custody-h">{t('product.custody')}</h2>
                <ol class="timeline" data-testid="custody">
                  {b.custody.map((c, i) => (
                    <li key={`${c.height}-${i}`} class="done">
                      <Mono>{c.holder}</Mono> · <Time iso={c.time} /> (<Link href={`/blocks/${c.height}`}>{t('agencies.since', { height: num(c.height) })}</Link>)
                    </li>
                  ))}
                </ol>
              </section>
              <section aria-labelledby="origin-h">
                <h2 id="origin-h">{t('product.origin')}</h2>
                {origin.length === 0 ? (
                  <p>{t('product.noOrigin')}</p>
                ) : (
                  <ul data-testid="origin">
                    {origin.map((o) => (
                      <li key={o.id}>
                        <Link href={`/product/${encodeURIComponent(o.id)}`}>{o.id}</Link> (<Mono>{o.product}</Mono>){' '}
                        {o.recalled && <span class="badge badge-fail">{t('product.st.recalled')}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section aria-labelledby="qr-h">
                <h2 id="qr-h">{t('product.qr')}</h2>
                <QrCode grid={qr} label={t('product.qrLabel', { url: here })} />
                <p class="small">
                  <Mono>{here}</Mono>
                </p>
              </section>
            </>
          );
        }}
      </ShowVerified>
      <p>
        <Link href="/product">{t('product.again')}</Link>
      </p>
    </>
  );
}
