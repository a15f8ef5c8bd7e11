/** The latest checkpoint: its body, each validator signature checked in the browser, the note. */
import type { JSX } from 'preact';
import { toBase64 } from '@govchain/core';
import { useChain } from '../app.js';
import { acceptAnnouncedKeys, client, loadSeen, saveSeen, type SeenCheckpoint } from '../chain.js';
import { Fields, Mono, PageTitle, Show, Time, Verdict, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { checkCheckpoint, verifyAppendOnly, type CheckpointCheck } from '../verify.js';

export function CheckpointPage(): JSX.Element {
  const { t } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(async () => {
    const check = checkCheckpoint(await client.checkpoint(), trust.vkeys);
    return { check, log: await checkLog(trust.chainId, check) };
  }, [trust]);
  return (
    <>
      <PageTitle>{t('cp.title')}</PageTitle>
      <p class="lead">{t('cp.intro')}</p>
      <Show loaded={loaded}>
        {({ check, log }) => (
          <>
            <CheckpointDetails check={check} />
            <LogVerdict log={log} />
          </>
        )}
      </Show>
      <TrustPanel />
    </>
  );
}

/** What this browser found about the log since its last visit. */
export type LogCheck =
  | { kind: 'first' }
  | { kind: 'ok'; seen: SeenCheckpoint; size: number }
  | { kind: 'same'; seen: SeenCheckpoint; size: number }
  | { kind: 'older'; seen: SeenCheckpoint; size: number }
  | { kind: 'fail'; seen: SeenCheckpoint; reason: string };

/**
 * Light-client memory: compare a certified checkpoint with the last one this browser
 * verified for the chain. A larger log must come with a valid RFC 6962 consistency proof
 * (the old log is a prefix of the new one); only then is the new head remembered.
 */
export async function checkLog(chainId: string, check: CheckpointCheck): Promise<LogCheck | undefined> {
  const cp = check.checkpoint;
  if (!check.certified || cp === undefined) return undefined;
  const current: SeenCheckpoint = { size: cp.size, root: toBase64(cp.rootHash), seenAt: new Date().toISOString() };
  const seen = loadSeen(chainId);
  if (seen === undefined) {
    saveSeen(chainId, current);
    return { kind: 'first' };
  }
  if (seen.size > cp.size) return { kind: 'older', seen, size: cp.size };
  try {
    const proof = seen.size < cp.size && seen.size > 0 ? await client.consistencyProof(seen.size, cp.size) : undefined;
    verifyAppendOnly(seen, cp, proof);
  } catch (e) {
    return { kind: 'fail', seen, reason: (e as Error).message };
  }
  if (seen.size < cp.size) saveSeen(chainId, current);
  return seen.size === cp.size ? { kind: 'same', seen, size: cp.size } : { kind: 'ok', seen, size: cp.size };
}

/** The append-only check's outcome. */
export function LogVerdict(props: { log: LogCheck | undefined }): JSX.Element | null {
  const { t, date } = useI18n();
  const l = props.log;
  if (l === undefined) return null;
  const testId = 'log-verdict';
  if (l.kind === 'first') return <Verdict kind="info" title={t('log.first')} testId={testId} />;
  const since = { date: date(l.seen.seenAt), size: l.seen.size };
  if (l.kind === 'ok') return <Verdict kind="ok" title={t('log.ok', since)} testId={testId} />;
  if (l.kind === 'same') return <Verdict kind="ok" title={t('log.same', since)} testId={testId} />;
  if (l.kind === 'older') return <Verdict kind="info" title={t('log.older', { size: l.size, seen: l.seen.size })} testId={testId} />;
  return (
    <Verdict kind="fail" title={t('log.fail', since)} testId={testId}>
      <p>{t('verify.fail.detail', { reason: l.reason })}</p>
    </Verdict>
  );
}

/** Certified (green, with the quorum count) or not (a warning with the reason). */
export function CheckpointVerdict(props: { check: CheckpointCheck }): JSX.Element {
  const { t, num } = useI18n();
  const c = props.check;
  if (c.certified && c.checkpoint !== undefined) {
    return (
      <Verdict kind="ok" title={t('cp.quorum', { have: c.have, need: c.need })} testId="checkpoint-verdict">
        <p>
          {t('cp.height')} <Link href={`/blocks/${c.checkpoint.height}`}>{num(c.checkpoint.height)}</Link> · {t('cp.size')} {num(c.checkpoint.size)} ·{' '}
          <Time iso={c.checkpoint.time} />
        </p>
      </Verdict>
    );
  }
  return (
    <Verdict kind="fail" title={t('verify.fail')} testId="checkpoint-verdict">
      <p>{t('verify.fail.detail', { reason: c.reason ?? '' })}</p>
    </Verdict>
  );
}

function CheckpointDetails(props: { check: CheckpointCheck }): JSX.Element {
  const { t, num } = useI18n();
  const c = props.check;
  const cp = c.checkpoint;
  return (
    <>
      <CheckpointVerdict check={c} />
      {cp !== undefined && (
        <Fields
          rows={[
            [t('cp.height'), <Link href={`/blocks/${cp.height}`}>{num(cp.height)}</Link>],
            [t('cp.size'), num(cp.size)],
            [t('cp.root'), <Mono>{toBase64(cp.rootHash)}</Mono>],
            [t('cp.state'), <Mono>{toBase64(cp.stateRoot)}</Mono>],
            [t('cp.time'), <Time iso={cp.time} />],
          ]}
        />
      )}
      <h2>{t('cp.signatures')}</h2>
      <ul class="sigs" data-testid="signatures">
        {c.signatures.map((s, i) => (
          <li key={i} class={`sig sig-${s.status}`} data-status={s.status}>
            <span aria-hidden="true" class="sig-icon">
              {s.status === 'valid' ? '\u2713' : s.status === 'invalid' ? '\u2717' : '?'}
            </span>
            <span>
              <strong>{s.name}</strong> <Mono>{s.keyHash}</Mono>
            </span>
            <span class="sig-status">{t(s.status === 'valid' ? 'cp.sig.valid' : s.status === 'invalid' ? 'cp.sig.invalid' : 'cp.sig.unknown')}</span>
          </li>
        ))}
      </ul>
      <details>
        <summary>{t('cp.note')}</summary>
        <pre class="note">{c.text}</pre>
      </details>
    </>
  );
}

/** The validator keys this browser trusts, and a warning when the node announces others. */
export function TrustPanel(): JSX.Element {
  const { t, date } = useI18n();
  const { trust, setTrust } = useChain();
  return (
    <section aria-labelledby="trust-h" class="trust">
      <h2 id="trust-h">{t('trust.title')}</h2>
      <p>{t('trust.pinned', { chain: trust.chainId, count: trust.vkeys.length, date: date(trust.since) })}</p>
      <ul class="vkeys">
        {trust.vkeys.map((k) => (
          <li key={k}>
            <Mono>{k}</Mono>
          </li>
        ))}
      </ul>
      {trust.announced !== undefined && (
        <Verdict kind="fail" title={t('trust.changed')}>
          <button type="button" onClick={() => setTrust(acceptAnnouncedKeys(trust))}>
            {t('trust.accept')}
          </button>
        </Verdict>
      )}
    </section>
  );
}
