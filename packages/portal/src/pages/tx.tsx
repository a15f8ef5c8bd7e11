/** One transaction: envelope, receipt, and its inclusion in a certified checkpoint, checked in the browser. */
import type { JSX } from 'preact';
import { useChain } from '../app.js';
import { client, ledgerSignerKeys } from '../chain.js';
import { Fields, Mono, PageTitle, Show, Time, Verdict, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { verifyTransaction, type TxVerification } from '../verify.js';

type TxCheck = { kind: 'ok'; v: TxVerification } | { kind: 'pending' } | { kind: 'fail'; reason: string };

export function TxPage(props: { txid: string }): JSX.Element {
  const { t, num } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(async () => {
    const tx = await client.tx(props.txid);
    let check: TxCheck;
    try {
      const note = await client.checkpoint();
      const size = Number(note.split('\n')[1]);
      if (!(size > tx.leafIndex)) check = { kind: 'pending' };
      else {
        const [inclusion, signerKeys] = await Promise.all([client.inclusionProof(props.txid, size), ledgerSignerKeys(tx.envelope)]);
        check = { kind: 'ok', v: verifyTransaction(props.txid, tx, inclusion, note, trust.vkeys, signerKeys) };
      }
    } catch (e) {
      check = { kind: 'fail', reason: (e as Error).message };
    }
    return { tx, check };
  }, [props.txid, trust]);
  return (
    <>
      <PageTitle>{t('tx.title')}</PageTitle>
      <Show loaded={loaded}>
        {({ tx, check }) => {
          const b = tx.envelope.body;
          const r = tx.receipt;
          return (
            <>
              {check.kind === 'ok' ? (
                <Verdict
                  kind="ok"
                  title={t('tx.verified', { leaf: check.v.leafIndex, have: check.v.checkpoint.have, need: check.v.checkpoint.need })}
                  testId="tx-verdict"
                >
                  <p>
                    {t('cp.time')}: <Time iso={check.v.checkpoint.checkpoint.time} />
                  </p>
                  {check.v.signers.some((d) => !d.startsWith('did:key:')) && <p>{t('tx.ledgerKeys')}</p>}
                </Verdict>
              ) : check.kind === 'pending' ? (
                <Verdict kind="pending" title={t('block.pending')} testId="tx-verdict" />
              ) : (
                <Verdict kind="fail" title={t('verify.fail')} testId="tx-verdict">
                  <p>{t('verify.fail.detail', { reason: check.reason })}</p>
                </Verdict>
              )}
              <Fields
                rows={[
                  [t('tx.id'), <Mono>{props.txid}</Mono>],
                  [t('tx.type'), <Mono>{b.type}</Mono>],
                  [t('tx.signer'), <Mono>{b.signer}</Mono>],
                  [t('tx.nonce'), <Mono>{b.nonce}</Mono>],
                  ...(b.expires === undefined ? [] : [[t('tx.expires'), <Time iso={b.expires} />] as [string, JSX.Element]]),
                ]}
              />
              <h2>{t('tx.payload')}</h2>
              <pre class="json">{JSON.stringify(b.payload, null, 2)}</pre>
              <h2>{t('tx.receipt')}</h2>
              <Fields
                rows={[
                  [t('tx.status'), r.status === 'ok' ? t('tx.status.ok') : t('tx.status.failed', { code: r.code ?? '?' })],
                  [t('tx.block'), <Link href={`/blocks/${r.height}`}>{num(r.height)}</Link>],
                  [t('tx.index'), num(r.index)],
                  [t('tx.leafIndex'), num(tx.leafIndex)],
                ]}
              />
              {r.events !== undefined && (
                <>
                  <h3>{t('tx.events')}</h3>
                  <pre class="json">{JSON.stringify(r.events, null, 2)}</pre>
                </>
              )}
            </>
          );
        }}
      </Show>
    </>
  );
}
