/** One block: its header checked against the certified checkpoint taken at it, and its transactions. */
import type { JSX } from 'preact';
import { GovchainApiError } from '@govchain/sdk';
import { useChain } from '../app.js';
import { client } from '../chain.js';
import { Fields, Mono, PageTitle, Show, Time, Verdict, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { verifyBlock, type CheckpointCheck } from '../verify.js';

type BlockCheck = { kind: 'ok'; cp: CheckpointCheck } | { kind: 'pending' } | { kind: 'fail'; reason: string };

export function BlockPage(props: { height: number }): JSX.Element {
  const { t, num } = useI18n();
  const { trust, status } = useChain();
  const loaded = useLoad(async () => {
    const block = await client.block(props.height);
    let check: BlockCheck;
    try {
      const note = await client.checkpoint(block.header.logSize);
      check = { kind: 'ok', cp: verifyBlock(block, note, trust.vkeys) };
    } catch (e) {
      if (e instanceof GovchainApiError && e.status === 404) check = { kind: 'pending' };
      else check = { kind: 'fail', reason: (e as Error).message };
    }
    return { block, check };
  }, [props.height, trust]);
  return (
    <>
      <PageTitle>{t('block.title', { height: props.height })}</PageTitle>
      <Show loaded={loaded}>
        {({ block, check }) => {
          const h = block.header;
          return (
            <>
              {check.kind === 'ok' ? (
                <Verdict kind="ok" title={t('block.verified', { have: check.cp.have, need: check.cp.need })} testId="block-verdict" />
              ) : check.kind === 'pending' ? (
                <Verdict kind="pending" title={t('block.pending')} testId="block-verdict" />
              ) : (
                <Verdict kind="fail" title={t('verify.fail')} testId="block-verdict">
                  <p>{t('verify.fail.detail', { reason: check.reason })}</p>
                </Verdict>
              )}
              <Fields
                rows={[
                  [t('block.hash'), <Mono>{block.hash ?? ''}</Mono>],
                  [t('block.time'), <Time iso={h.time} />],
                  [t('block.txCount'), num(h.txCount)],
                  [t('block.prev'), h.height > 1 ? <Link href={`/blocks/${h.height - 1}`}><Mono>{h.prev}</Mono></Link> : <Mono>{h.prev}</Mono>],
                  [t('block.txsHash'), <Mono>{h.txsHash}</Mono>],
                  [t('block.logSize'), num(h.logSize)],
                  [t('block.logRoot'), <Mono>{h.logRoot}</Mono>],
                  [t('block.stateRoot'), <Mono>{h.stateRoot}</Mono>],
                ]}
              />
              <h2>{t('block.txs')}</h2>
              <ol class="txids" start={0} data-testid="block-txs">
                {block.txids.map((id) => (
                  <li key={id}>
                    <Link href={`/txs/${id}`}>
                      <Mono>{id}</Mono>
                    </Link>
                  </li>
                ))}
              </ol>
              <nav class="pager" aria-label={t('block.title', { height: h.height })}>
                {h.height > 1 && <Link href={`/blocks/${h.height - 1}`}>← {t('block.prevLink')}</Link>}
                {h.height < status.height && <Link href={`/blocks/${h.height + 1}`}>{t('block.nextLink')} →</Link>}
              </nav>
            </>
          );
        }}
      </Show>
    </>
  );
}
