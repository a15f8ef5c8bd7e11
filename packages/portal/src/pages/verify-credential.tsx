/**
 * Verify a credential (public): paste a `GCVC1:` QR payload, scan the QR code with the
 * camera (the BarcodeDetector API, where the browser has it), or upload a photo or
 * screenshot of it (decoded in the page with the `qr` package). The presentation is
 * verified in the browser (credential-check.ts): issuer agency, signature, disclosures,
 * ledger record and status; any failure is a red alert.
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useChain } from '../app.js';
import { checkCredential, type CredentialCheck } from '../credential-check.js';
import { Fields, Mono, PageTitle, Time, Verdict } from '../components.js';
import { useI18n } from '../i18n.js';

/** The verdict on a credential: issuer, status, disclosed claims; a red alert on failure. */
export function CredentialResult(props: { check: CredentialCheck }): JSX.Element {
  const { t } = useI18n();
  const c = props.check;
  const hidden = new Set(['iss', 'sub', 'vct', 'iat', 'ledger_status', '_sd', '_sd_alg', 'cnf', 'application']);
  const claims = Object.entries(c.claims ?? {}).filter(([k]) => !hidden.has(k));
  const rows: [string, JSX.Element | string][] = [];
  if (c.issuerName !== undefined) rows.push([t('vc.issuer'), c.issuerName]);
  if (c.issuer !== undefined) rows.push([t('vc.issuerDid'), <Mono>{c.issuer}</Mono>]);
  if (c.vct !== undefined) rows.push([t('vc.type'), <Mono>{c.vct}</Mono>]);
  if (c.status !== undefined) rows.push([t('vc.status'), <strong data-testid="vc-status">{t(c.status === 'valid' ? 'vc.status.valid' : c.status === 'revoked' ? 'vc.status.revoked' : 'vc.status.suspended')}</strong>]);
  if (c.subject !== undefined && c.subject !== '') rows.push([t('vc.subject'), <Mono>{c.subject}</Mono>]);
  for (const [k, v] of claims) rows.push([k, String(v)]);
  return (
    <div data-testid="vc-result">
      {c.valid ? (
        <Verdict kind="ok" title={t('vc.ok')} testId="vc-verdict">
          {c.checkpointTime !== undefined && (
            <p>
              {t('vc.asOf')} <Time iso={c.checkpointTime} />
            </p>
          )}
        </Verdict>
      ) : (
        <Verdict kind="fail" title={t('vc.fail')} testId="vc-verdict">
          <p>{t('vc.fail.reason', { reason: c.reason ?? c.code ?? '' })}</p>
        </Verdict>
      )}
      {rows.length > 0 && <Fields rows={rows} />}
    </div>
  );
}

declare global {
  // The Barcode Detection API (WICG Shape Detection); not in TypeScript's DOM types yet.
  // eslint-disable-next-line no-var
  var BarcodeDetector: { new (o: { formats: string[] }): { detect(src: CanvasImageSource): Promise<Array<{ rawValue: string }>> } } | undefined;
}

type State = { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; check: CredentialCheck } | { kind: 'error'; reason: string };

export function VerifyCredentialPage(): JSX.Element {
  const { t } = useI18n();
  const { trust } = useChain();
  const [text, setText] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [scanning, setScanning] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const stop = useRef<() => void>(() => undefined);

  async function verify(payload: string): Promise<void> {
    setText(payload);
    setState({ kind: 'busy' });
    setState({ kind: 'done', check: await checkCredential(payload, trust) });
  }

  async function fromImage(file: File): Promise<void> {
    setState({ kind: 'busy' });
    try {
      const bitmap = await createImageBitmap(file);
      const canvas = document.createElement('canvas');
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const img = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      const { default: decodeQR } = await import('qr/decode.js');
      await verify(decodeQR({ width: img.width, height: img.height, data: img.data }));
    } catch (e) {
      setState({ kind: 'error', reason: t('vcv.noQr', { reason: (e as Error).message }) });
    }
  }

  async function scan(): Promise<void> {
    const Detector = globalThis.BarcodeDetector;
    if (Detector === undefined) return;
    setScanning(true);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      const v = video.current!;
      v.srcObject = stream;
      await v.play();
      const detector = new Detector({ formats: ['qr_code'] });
      let live = true;
      stop.current = () => {
        live = false;
        for (const tr of stream.getTracks()) tr.stop();
        setScanning(false);
      };
      // Bounded: about two minutes of frames, then the camera is released.
      for (let i = 0; i < 600 && live; i++) {
        const codes = await detector.detect(v);
        const hit = codes.find((c) => c.rawValue.startsWith('GCVC1:'));
        if (hit !== undefined) {
          stop.current();
          await verify(hit.rawValue);
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      stop.current();
    } catch (e) {
      setScanning(false);
      setState({ kind: 'error', reason: (e as Error).message });
    }
  }

  return (
    <>
      <PageTitle>{t('vcv.title')}</PageTitle>
      <p class="lead">{t('vcv.intro')}</p>
      <div class="verify-grid">
        <fieldset>
          <legend>{t('vcv.paste.legend')}</legend>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void verify(text.trim());
            }}
          >
            <label class="block" for="vc-payload">
              {t('vcv.paste.label')}
            </label>
            <textarea id="vc-payload" rows={4} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
            <p>
              <button type="submit" disabled={text.trim() === '' || state.kind === 'busy'}>
                {t('vcv.verify')}
              </button>
            </p>
          </form>
        </fieldset>
        <fieldset>
          <legend>{t('vcv.scan.legend')}</legend>
          <label class="block" for="vc-image">
            {t('vcv.image.label')}
          </label>
          <input
            type="file"
            id="vc-image"
            accept="image/*"
            onChange={(e) => {
              const f = (e.currentTarget as HTMLInputElement).files?.[0];
              if (f !== undefined) void fromImage(f);
            }}
          />
          {globalThis.BarcodeDetector !== undefined ? (
            <p>
              {scanning ? (
                <button type="button" class="secondary" onClick={() => stop.current()}>
                  {t('vcv.scan.stop')}
                </button>
              ) : (
                <button type="button" onClick={() => void scan()}>
                  {t('vcv.scan.start')}
                </button>
              )}
            </p>
          ) : (
            <p class="small">{t('vcv.scan.unavailable')}</p>
          )}
          <video ref={video} class={scanning ? 'camera' : 'camera hidden'} muted playsInline aria-label={t('vcv.scan.video')} />
        </fieldset>
      </div>
      <section aria-live="polite" class="outcome">
        {state.kind === 'busy' && <p aria-busy="true">{t('verify.checking')}</p>}
        {state.kind === 'done' && <CredentialResult check={state.check} />}
        {state.kind === 'error' && (
          <Verdict kind="fail" title={t('vc.fail')} testId="vc-verdict">
            <p>{state.reason}</p>
          </Verdict>
        )}
      </section>
    </>
  );
}
