/**
 * Public procurement: the list of tenders and one tender's page (timeline, committed bids,
 * revealed bids with their committee scores, award, contracts). Every tender, bid and
 * contract shown is the value proven against a verified checkpoint; the node's route
 * only names the records. Before the deadline a bid is only its salted commitment on the
 * ledger, so nobody, this page included, can show a price.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useChain } from '../app.js';
import { TenderActions } from './tender-actions.js';
import { Mono, PageTitle, ProvenVerdict, ShowVerified, Time, useLoad } from '../components.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { Link } from '../router.js';
import { checkSummary, getJson, proveRecords, withRetry } from '../registry.js';
import { VerificationError } from '../verify.js';

/** A tender as recorded (state `procurement/tender/<id>`). */
export interface Tender {
  id: string;
  agency: string;
  officer: string;
  title: string;
  documents: string[];
  criteria: Array<{ name: string; weight: number }>;
  deadline: string;
  revealUntil: string;
  committee: string[];
  bidders: string[];
  status: 'open' | 'awarded' | 'cancelled';
  published: number;
  award?: { bidder: string; price: number; score: number; height: number };
  disqualified?: string[];
}
/** A bid (state `procurement/bid/<tender>/<bidder>`). */
export interface Bid {
  tender: string;
  bidder: string;
  commitment: string;
  committed: number;
  status: 'sealed' | 'revealed' | 'disqualified';
  price?: number;
  document?: string;
  revealed?: number;
  scores?: Record<string, number>;
}
interface Contract {
  id: string;
  tender: string;
  digest: string;
  milestones?: Array<{ amount: number; paid?: unknown }>;
}

/** The phase of a tender at ledger time `now`. */
export function tenderPhase(t: Tender, now: string): 'bidding' | 'reveal' | 'scoring' | 'awarded' | 'cancelled' {
  if (t.status === 'awarded') return 'awarded';
  if (t.status === 'cancelled') return 'cancelled';
  const n = Date.parse(now);
  if (n < Date.parse(t.deadline)) return 'bidding';
  if (n < Date.parse(t.revealUntil)) return 'reveal';
  return 'scoring';
}
const PHASE: Record<ReturnType<typeof tenderPhase>, MessageKey> = {
  bidding: 'tender.phase.bidding',
  reveal: 'tender.phase.reveal',
  scoring: 'tender.phase.scoring',
  awarded: 'tender.phase.awarded',
  cancelled: 'tender.phase.cancelled',
};

export function TendersPage(): JSX.Element {
  const { t, num } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(
    () =>
      withRetry(async () => {
        const answer = (await getJson<{ tenders: Tender[] }>('/v1/procurement/tenders'))!;
        const p = await proveRecords<Tender>(trust, 'procurement', answer.tenders.map((x) => `tender/${x.id}`));
        const tenders = answer.tenders.map((x) => {
          const v = p.values.get(`tender/${x.id}`) ?? null;
          if (v === null) throw new VerificationError(`tender ${x.id} is not in the proven state`);
          checkSummary(`tender ${x.id}`, x, v);
          return v;
        });
        return { tenders: tenders.reverse(), checkpoint: p.checkpoint };
      }),
    [trust],
  );
  return (
    <>
      <PageTitle>{t('tenders.title')}</PageTitle>
      <p class="lead">{t('tenders.intro')}</p>
      <ShowVerified loaded={loaded}>
        {({ tenders, checkpoint }) => (
          <>
            <ProvenVerdict count={tenders.length} checkpoint={checkpoint} />
            {tenders.length === 0 ? (
              <p>{t('tenders.none')}</p>
            ) : (
              <div class="table-scroll">
                <table data-testid="tenders">
                  <caption class="sr-only">{t('tenders.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('tender.title')}</th>
                      <th scope="col">{t('tender.status')}</th>
                      <th scope="col">{t('tender.deadline')}</th>
                      <th scope="col" class="num">{t('tender.bidders')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {tenders.map((x) => (
                      <tr key={x.id}>
                        <td>
                          <Link href={`/tenders/${encodeURIComponent(x.id)}`}>{x.title}</Link>
                          <br />
                          <span class="small">{x.id}</span>
                        </td>
                        <td>{t(PHASE[tenderPhase(x, checkpoint.time)])}</td>
                        <td>
                          <Time iso={x.deadline} />
                        </td>
                        <td class="num">{num(x.bidders.length)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </ShowVerified>
    </>
  );
}

export function TenderPage(props: { id: string }): JSX.Element {
  const { t, num, money } = useI18n();
  const { trust } = useChain();
  const [tick, setTick] = useState(0);
  const loaded = useLoad(
    () =>
      withRetry(async () => {
        const answer = await getJson<{ tender: Tender; bids: Bid[]; contracts: Contract[] }>(`/v1/procurement/tenders/${encodeURIComponent(props.id)}`);
        if (answer === undefined) return undefined;
        const tenderP = await proveRecords<Tender>(trust, 'procurement', [`tender/${props.id}`]);
        const tender = tenderP.values.get(`tender/${props.id}`) ?? null;
        if (tender === null) throw new VerificationError(`tender ${props.id} is not in the proven state`);
        checkSummary(`tender ${props.id}`, answer.tender, tender);
        // Every registered bidder's bid slot is proven, present or absent, so a hidden bid shows.
        const bidKeys = tender.bidders.map((d) => `bid/${props.id}/${d}`);
        const p = await proveRecords<Bid | Contract>(trust, 'procurement', [...bidKeys, ...answer.contracts.map((c) => `contract/${c.id}`)]);
        const bids = bidKeys.map((k) => p.values.get(k) as Bid | null).filter((b): b is Bid => b !== null);
        checkSummary(`the bids of ${props.id}`, answer.bids, bids);
        const contracts = answer.contracts.map((c) => {
          const v = p.values.get(`contract/${c.id}`) as Contract | null;
          if (v === null || v.tender !== props.id) throw new VerificationError(`contract ${c.id} is not in the proven state`);
          return v;
        });
        return { tender, bids, contracts, checkpoint: p.checkpoint.size >= tenderP.checkpoint.size ? p.checkpoint : tenderP.checkpoint, proven: 1 + bidKeys.length + contracts.length };
      }),
    [trust, props.id, tick],
  );
  return (
    <>
    {loaded.state !== 'done' && <PageTitle>{t('tender.heading', { id: props.id })}</PageTitle>}
    <ShowVerified loaded={loaded}>
      {(v) => {
        if (v === undefined) {
          return (
            <>
              <PageTitle>{t('tender.notFound')}</PageTitle>
              <p>
                <Link href="/tenders">{t('tenders.back')}</Link>
              </p>
            </>
          );
        }
        const { tender, bids, contracts, checkpoint, proven } = v;
        const phase = tenderPhase(tender, checkpoint.time);
        const revealed = bids.filter((b) => b.status === 'revealed');
        const total = (b: Bid): number => Object.values(b.scores ?? {}).reduce((n, s) => n + s, 0);
        const steps: { key: MessageKey; when: JSX.Element; done: boolean }[] = [
          { key: 'tender.tl.published', when: <Link href={`/blocks/${tender.published}`}>{t('agencies.since', { height: num(tender.published) })}</Link>, done: true },
          { key: 'tender.tl.deadline', when: <Time iso={tender.deadline} />, done: phase !== 'bidding' },
          { key: 'tender.tl.reveal', when: <Time iso={tender.revealUntil} />, done: phase === 'scoring' || phase === 'awarded' },
          {
            key: 'tender.tl.award',
            when: tender.award === undefined ? <>{t('tender.tl.pending')}</> : <Link href={`/blocks/${tender.award.height}`}>{t('agencies.since', { height: num(tender.award.height) })}</Link>,
            done: tender.award !== undefined,
          },
        ];
        return (
          <>
            <PageTitle>{tender.title}</PageTitle>
            <p class="lead">
              {t('tender.id')} <Mono>{tender.id}</Mono> · {t(PHASE[phase])}
            </p>
            <ProvenVerdict count={proven} checkpoint={checkpoint} />
            <section aria-labelledby="tl-h">
              <h2 id="tl-h">{t('tender.timeline')}</h2>
              <ol class="timeline" data-testid="timeline">
                {steps.map((s) => (
                  <li key={s.key} class={s.done ? 'done' : ''}>
                    <strong>{t(s.key)}</strong>: {s.when} <span class="sr-only">({s.done ? t('tender.tl.done') : t('tender.tl.todo')})</span>
                  </li>
                ))}
              </ol>
            </section>
            <section aria-labelledby="crit-h">
              <h2 id="crit-h">{t('tender.criteria')}</h2>
              <ul>
                {tender.criteria.map((c) => (
                  <li key={c.name}>
                    {c.name}: {t('tender.weight', { weight: c.weight })}
                  </li>
                ))}
              </ul>
              <p>
                {t('tender.committee')}: {tender.committee.map((d, i) => <>{i > 0 && ', '}<Mono>{d}</Mono></>)}
              </p>
            </section>
            <section aria-labelledby="bids-h">
              <h2 id="bids-h">{t('tender.bids')}</h2>
              <p data-testid="bid-counts">{t('tender.bidCounts', { registered: tender.bidders.length, committed: bids.length, revealed: revealed.length })}</p>
              {phase === 'bidding' && <p>{t('tender.sealedNote')}</p>}
              {bids.length > 0 && (
                <div class="table-scroll">
                  <table data-testid="bids">
                    <caption class="sr-only">{t('tender.bids')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('tender.bidder')}</th>
                        <th scope="col">{t('tender.bidStatus')}</th>
                        <th scope="col" class="num">{t('tender.price')}</th>
                        <th scope="col" class="num">{t('tender.score')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {bids.map((b) => (
                        <tr key={b.bidder}>
                          <td>
                            <Mono>{b.bidder}</Mono>
                            {tender.award?.bidder === b.bidder && (
                              <>
                                {' '}
                                <span class="badge badge-ok">{t('tender.winner')}</span>
                              </>
                            )}
                          </td>
                          <td>{t(b.status === 'revealed' ? 'tender.bid.revealed' : tender.disqualified?.includes(b.bidder) || b.status === 'disqualified' ? 'tender.bid.disqualified' : 'tender.bid.sealed')}</td>
                          <td class="num">{b.price === undefined ? '–' : money(b.price)}</td>
                          <td class="num">{b.scores === undefined || Object.keys(b.scores).length === 0 ? '–' : `${num(total(b))} (${t('tender.scoredBy', { count: Object.keys(b.scores).length })})`}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
            <TenderActions tender={tender} bids={bids} phase={phase} reload={() => setTick((n) => n + 1)} />
            <section aria-labelledby="award-h">
              <h2 id="award-h">{t('tender.award')}</h2>
              {tender.award === undefined ? (
                <p>{t('tender.noAward')}</p>
              ) : (
                <p data-testid="award">{t('tender.awarded', { bidder: tender.award.bidder, price: money(tender.award.price), score: tender.award.score })}</p>
              )}
              {contracts.length > 0 && (
                <ul>
                  {contracts.map((c) => (
                    <li key={c.id}>
                      {t('tender.contract')} <Mono>{c.id}</Mono>: <Mono>{c.digest}</Mono>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <p>
              <Link href="/tenders">{t('tenders.back')}</Link>
            </p>
          </>
        );
      }}
    </ShowVerified>
    </>
  );
}
