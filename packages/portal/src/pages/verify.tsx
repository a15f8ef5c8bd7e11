/**
 * "Verify a document": a file is hashed in the browser (WebCrypto SHA-256), its anchor is
 * looked up, and the SDK's proof bundle for it is fetched and verified here against the
 * trusted validator keys; or a `.govproof.json` bundle is verified offline (no request at
 * all), optionally with the document it is for.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { fetchProofBundle, verifyProofBundle, type BundleVerification, type ProofBundle } from '@govchain/sdk';
import { useChain } from '../app.js';
import { client } from '../chain.js';
import { Fields, Mono, PageTitle, Time, Verdict } from '../components.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { Link } from '../router.js';
import { checkCheckpoint, digestFile } from '../verify.js';
import { TrustPanel } from './checkpoint.js';

interface FileInfo {
  name: string;
  size: number;
  digest: string;
  method: 'webcrypto' | 'noble';
}

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy'; step: MessageKey }
  | { kind: 'ok'; mode: 'document' | 'bundle'; file: FileInfo | undefined; bundle: ProofBundle; result: BundleVerification; have: number; need: number }
  | { kind: 'notfound'; file: FileInfo }
  | { kind: 'fail'; file: FileInfo | undefined; reason: string };

export function VerifyPage(): JSX.Element {
  const { t } = useI18n();
  const { trust, status } = useChain();
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [bundleDoc, setBundleDoc] = useState<File | undefined>(undefined);

  async function checkDocument(file: File): Promise<void> {
    setOutcome({ kind: 'busy', step: 'verify.hashing' });
    const info = await describe(file);
    setOutcome({ kind: 'busy', step: 'verify.checking' });
    try {
      const res = await fetch(`/v1/notary/anchors/${info.digest}`, { headers: { accept: 'application/json' } });
      if (res.status === 404) return setOutcome({ kind: 'notfound', file: info });
      if (!res.ok) throw new Error(`HTTP ${res.status} from /v1/notary/anchors`);
      const anchor = (await res.json()) as { txid?: unknown };
      if (typeof anchor.txid !== 'string' || !/^[0-9a-f]{64}$/.test(anchor.txid)) throw new Error('the anchor record has no valid txid');
      const bundle = await fetchProofBundle(client, anchor.txid, { file: { name: file.name, sha256: info.digest }, waitMs: 10_000 });
      // The SDK's offline check, against the keys this browser trusts, not the node's word.
      const result = verifyProofBundle(bundle, { fileDigest: info.digest, trustedVkeys: trust.vkeys });
      const cp = checkCheckpoint(bundle.checkpoint, trust.vkeys);
      setOutcome({ kind: 'ok', mode: 'document', file: info, bundle, result, have: cp.have, need: cp.need });
    } catch (e) {
      setOutcome({ kind: 'fail', file: info, reason: (e as Error).message });
    }
  }

  async function checkBundle(file: File): Promise<void> {
    setOutcome({ kind: 'busy', step: 'verify.checking' });
    const doc = bundleDoc === undefined ? undefined : await describe(bundleDoc);
    let bundle: ProofBundle;
    try {
      bundle = JSON.parse(await file.text()) as ProofBundle;
    } catch {
      return setOutcome({ kind: 'fail', file: doc, reason: t('verify.bundle.notJson') });
    }
    try {
      // Offline: no request is made. Pinned keys are used when the bundle is for this chain.
      const pinned = typeof bundle === 'object' && bundle !== null && bundle.chainId === trust.chainId;
      const result = verifyProofBundle(bundle, { ...(pinned ? { trustedVkeys: trust.vkeys } : {}), ...(doc === undefined ? {} : { fileDigest: doc.digest }) });
      const cp = checkCheckpoint(bundle.checkpoint, pinned ? trust.vkeys : bundle.validators.vkeys);
      setOutcome({ kind: 'ok', mode: 'bundle', file: doc, bundle, result, have: cp.have, need: cp.need });
    } catch (e) {
      setOutcome({ kind: 'fail', file: doc, reason: (e as Error).message });
    }
  }

  return (
    <>
      <PageTitle>{t('verify.title')}</PageTitle>
      <p class="lead">{t('verify.intro')}</p>
      <div class="verify-grid">
        <fieldset>
          <legend>{t('verify.file.legend')}</legend>
          <FileDrop id="doc-file" label={t('verify.file.label')} help={t('verify.file.help')} onFile={(f) => void checkDocument(f)} />
        </fieldset>
        <fieldset>
          <legend>{t('verify.bundle.legend')}</legend>
          <FileDrop id="bundle-file" label={t('verify.bundle.label')} help={t('verify.bundle.help')} accept=".json,application/json" onFile={(f) => void checkBundle(f)} />
          <FileDrop id="bundle-doc" label={t('verify.bundle.doc.label')} onFile={(f) => setBundleDoc(f)} compact />
        </fieldset>
      </div>
      <section aria-live="polite" class="outcome" data-testid="outcome">
        <OutcomeView outcome={outcome} chainId={status.chainId} />
      </section>
      <TrustPanel />
    </>
  );
}

async function describe(file: File): Promise<FileInfo> {
  const { digest, method } = await digestFile(file);
  return { name: file.name, size: file.size, digest, method };
}

function OutcomeView(props: { outcome: Outcome; chainId: string }): JSX.Element | null {
  const { t, date } = useI18n();
  const o = props.outcome;
  if (o.kind === 'idle') return null;
  if (o.kind === 'busy') return <p aria-busy="true">{t(o.step)}</p>;
  const file = o.file;
  return (
    <>
      {o.kind === 'ok' && o.mode === 'document' && (
        <Verdict kind="ok" title={t('verify.ok')} testId="verdict">
          <p>
            {t('verify.ok.detail', { signer: o.bundle.envelope.body.signer, height: o.result.height, txid: o.result.txid, have: o.have, need: o.need, time: date(o.result.checkpointTime) })}
          </p>
          <p>
            <Link href={`/txs/${o.result.txid}`}>{t('tx.title')}</Link> · <DownloadBundle bundle={o.bundle} />
          </p>
        </Verdict>
      )}
      {o.kind === 'ok' && o.mode === 'bundle' && (
        <Verdict kind="ok" title={t('verify.bundle.ok')} testId="verdict">
          <p>{t('verify.bundle.ok.detail', { txid: o.result.txid, height: o.result.height, size: o.result.treeSize })} <Time iso={o.result.checkpointTime} /></p>
          <p>{t(o.result.trust === 'trusted-keys' ? 'verify.bundle.trust.pinned' : 'verify.bundle.trust.bundle')}</p>
          {o.file !== undefined && <p>{t('verify.bundle.doc.ok')}</p>}
        </Verdict>
      )}
      {o.kind === 'notfound' && <Verdict kind="info" title={t('verify.notFound', { chain: props.chainId })} testId="verdict" />}
      {o.kind === 'fail' && (
        <Verdict kind="fail" title={t('verify.fail')} testId="verdict">
          <p>{t('verify.fail.detail', { reason: o.reason })}</p>
        </Verdict>
      )}
      {file !== undefined && (
        <Fields
          rows={[
            [t('verify.fileName'), file.name],
            [t('verify.fileSize'), <span data-testid="file-size">{t('verify.bytes', { n: file.size })}</span>],
            [t('verify.digest'), <Mono>{file.digest}</Mono>],
          ]}
        />
      )}
      {file !== undefined && <p class="small">{t('verify.method', { method: t(file.method === 'webcrypto' ? 'verify.method.webcrypto' : 'verify.method.noble') })}</p>}
    </>
  );
}

function DownloadBundle(props: { bundle: ProofBundle }): JSX.Element {
  const { t } = useI18n();
  const name = `${props.bundle.file?.name ?? props.bundle.txid}.govproof.json`;
  const href = URL.createObjectURL(new Blob([JSON.stringify(props.bundle, null, 2) + '\n'], { type: 'application/json' }));
  return (
    <a href={href} download={name}>
      {t('verify.download')}
    </a>
  );
}

/** A labelled file input that also accepts a file dropped on its area. */
function FileDrop(props: { id: string; label: string; help?: string; accept?: string; compact?: boolean; onFile(f: File): void }): JSX.Element {
  const { t } = useI18n();
  const [over, setOver] = useState(false);
  const helpId = `${props.id}-help`;
  return (
    <div
      class={`drop${over ? ' drop-over' : ''}${props.compact ? ' drop-compact' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer?.files[0];
        if (f !== undefined) props.onFile(f);
      }}
    >
      <label for={props.id}>{props.label}</label>
      <input
        type="file"
        id={props.id}
        accept={props.accept}
        aria-describedby={props.help === undefined ? undefined : helpId}
        onChange={(e) => {
          const f = (e.currentTarget as HTMLInputElement).files?.[0];
          if (f !== undefined) props.onFile(f);
        }}
      />
      {props.help !== undefined && (
        <p id={helpId} class="small">
          {props.help}
        </p>
      )}
      {!props.compact && (
        <p class="drop-hint" aria-hidden="true">
          {t('verify.drop')}
        </p>
      )}
    </div>
  );
}
