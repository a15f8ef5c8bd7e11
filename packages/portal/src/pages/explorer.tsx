/** The transparency explorer's front page: status, a chart, latest blocks, latest checkpoint. */
import type { JSX } from 'preact';
import type { BlockResponse } from '@govchain/sdk';
import { useChain } from '../app.js';
import { client } from '../chain.js';
import { TxPerBlockChart } from '../chart.js';
import { Fields, Mono, PageTitle, Show, Time, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { checkCheckpoint } from '../verify.js';
import { CheckpointVerdict, LogVerdict, checkLog } from './checkpoint.js';

const RECENT = 20;

export function ExplorerPage(): JSX.Element {
  const { t, num } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(async () => {
    const status = await client.status();
    const heights: number[] = [];
    for (let h = status.height; h >= 1 && heights.length < RECENT; h--) heights.push(h);
    const [blocks, note] = await Promise.all([Promise.all(heights.map((h) => client.block(h))), status.height > 0 ? client.checkpoint() : Promise.resolve(undefined)]);
    const checkpoint = note === undefined ? undefined : checkCheckpoint(note, trust.vkeys);
    return { status, blocks, checkpoint, log: checkpoint === undefined ? undefined : await checkLog(trust.chainId, checkpoint) };
  }, [trust]);
  return (
    <>
      <PageTitle>{t('explorer.title')}</PageTitle>
      <p class="lead">{t('explorer.intro')}</p>
      <Show loaded={loaded}>
        {({ status, blocks, checkpoint, log }) => (
          <>
            <section aria-labelledby="status-h">
              <h2 id="status-h">{t('status.title')}</h2>
              <Fields
                rows={[
                  [t('status.chain'), <Mono>{status.chainId}</Mono>],
                  [t('status.height'), <span data-testid="height">{num(status.height)}</span>],
                  [t('status.logSize'), num(status.logSize)],
                  [t('status.certified'), num(status.certifiedSize ?? 0)],
                  [t('status.validators'), num(status.validators)],
                  [t('status.version'), status.version],
                ]}
              />
            </section>
            {checkpoint !== undefined && (
              <section aria-labelledby="cp-h">
                <h2 id="cp-h">{t('cp.latest')}</h2>
                <CheckpointVerdict check={checkpoint} />
                <LogVerdict log={log} />
                <p>
                  <Link href="/checkpoint">{t('cp.details')}</Link>
                </p>
              </section>
            )}
            {blocks.length > 0 && (
              <section aria-labelledby="chart-h">
                <h2 id="chart-h">{t('chart.title')}</h2>
                <TxPerBlockChart data={[...blocks].reverse().map((b) => ({ height: b.header.height, txCount: b.header.txCount }))} />
              </section>
            )}
            <section aria-labelledby="blocks-h">
              <h2 id="blocks-h">{t('blocks.title')}</h2>
              {blocks.length === 0 ? <p>{t('blocks.none')}</p> : <BlockTable blocks={blocks.slice(0, 10)} />}
            </section>
          </>
        )}
      </Show>
    </>
  );
}

function BlockTable(props: { blocks: BlockResponse[] }): JSX.Element {
  const { t, num } = useI18n();
  return (
    <table class="blocks">
      <caption class="sr-only">{t('blocks.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('blocks.height')}</th>
          <th scope="col">{t('blocks.time')}</th>
          <th scope="col" class="num">
            {t('blocks.txs')}
          </th>
          <th scope="col" class="wide-only">
            {t('blocks.hash')}
          </th>
        </tr>
      </thead>
      <tbody>
        {props.blocks.map((b) => (
          <tr key={b.header.height}>
            <td>
              <Link href={`/blocks/${b.header.height}`}>{num(b.header.height)}</Link>
            </td>
            <td>
              <Time iso={b.header.time} />
            </td>
            <td class="num">{num(b.header.txCount)}</td>
            <td class="wide-only">
              <Mono>{b.hash?.slice(0, 16)}…</Mono>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
