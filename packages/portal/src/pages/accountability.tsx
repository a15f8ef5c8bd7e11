/**
 * Service performance per agency and service (GET /v1/accountability) and the chain's
 * transaction throughput. The node computes the accountability figures from each
 * service's counters (`services/stats/<agency>/<service>`); the page proves those
 * counters against a verified checkpoint and checks the figures against them: submitted
 * and rejected counts equal, approved + open equal the approved counter plus the
 * applications that were open, and every overdue application is one of those open ones
 * with the deadline the counters hold. The throughput chart is drawn from block headers
 * as the node reports them (each block is verified on its own page).
 */
import type { JSX } from 'preact';
import { useChain } from '../app.js';
import { client } from '../chain.js';
import { ColumnChart, GroupedBarChart, type Series } from '../chart.js';
import { Mono, PageTitle, ProvenVerdict, ShowVerified, Time, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { getJson, proveRecords, withRetry } from '../registry.js';
import { VerificationError } from '../verify.js';

interface ServiceFigures {
  agency: string;
  agencyName: string;
  service: string;
  name: string;
  version: number;
  timeLimitDays: number;
  submitted: number;
  open: number;
  approved: number;
  rejected: number;
  meanProcessingDays: number | null;
  overdue: Array<{ application: string; deadline: string; daysOverdue: number; status: string }>;
}
interface ServiceStats {
  submitted: number;
  approved: number;
  rejected: number;
  open: Record<string, string>;
}

/** Check the node's figures of one service against its proven counters. */
function checkFigures(s: ServiceFigures, stats: ServiceStats | null): void {
  const what = `${s.agencyName} / ${s.name}`;
  if (stats === null) {
    if (s.submitted !== 0) throw new VerificationError(`${what}: no counters in the proven state, yet ${s.submitted} applications claimed`);
    return;
  }
  const openIds = Object.keys(stats.open);
  if (s.submitted !== stats.submitted || s.rejected !== stats.rejected || s.approved + s.open !== stats.approved + openIds.length || s.approved < stats.approved) {
    throw new VerificationError(`${what}: the figures differ from the proven counters`);
  }
  for (const o of s.overdue) if (stats.open[o.application] !== o.deadline) throw new VerificationError(`${what}: overdue application ${o.application} is not open with that deadline`);
}

const BLOCKS = 60;

export function AccountabilityPage(): JSX.Element {
  const { t, num, lang } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(
    () =>
      withRetry(async () => {
        const a = (await getJson<{ asOf: string; services: ServiceFigures[] }>('/v1/accountability'))!;
        const keys = a.services.map((s) => `stats/${s.agency}/${s.service}`);
        const p = await proveRecords<ServiceStats>(trust, 'services', keys);
        a.services.forEach((s, i) => checkFigures(s, p.values.get(keys[i]!) ?? null));
        return { ...a, checkpoint: p.checkpoint };
      }),
    [trust],
  );
  const series: Series[] = [
    { name: t('acc.submitted'), cls: 'bar-a' },
    { name: t('acc.approved'), cls: 'bar-b' },
    { name: t('acc.rejected'), cls: 'bar-d' },
    { name: t('acc.open'), cls: 'bar-e' },
    { name: t('acc.overdue'), cls: 'bar-c' },
  ];
  return (
    <>
      <PageTitle>{t('acc.title')}</PageTitle>
      <p class="lead">{t('acc.intro')}</p>
      <ShowVerified loaded={loaded}>
        {({ asOf, services, checkpoint }) => (
          <>
            <ProvenVerdict count={services.length} checkpoint={checkpoint} />
            <p>
              {t('acc.asOf')} <Time iso={asOf} />
            </p>
            {services.length === 0 ? (
              <p>{t('acc.none')}</p>
            ) : (
              <>
                <section aria-labelledby="perf-h">
                  <h2 id="perf-h">{t('acc.chart')}</h2>
                  <GroupedBarChart
                    id="perf"
                    title={t('acc.chart')}
                    desc={t('acc.chartDesc', { count: services.length, overdue: services.reduce((n, s) => n + s.overdue.length, 0) })}
                    series={series}
                    rows={services.map((s) => ({ label: `${s.agencyName}: ${s.name}`, values: [s.submitted, s.approved, s.rejected, s.open, s.overdue.length] }))}
                  />
                  <div class="table-scroll">
                    <table data-testid="acc-table">
                      <caption>{t('acc.table')}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('acc.service')}</th>
                          <th scope="col" class="num">{t('acc.submitted')}</th>
                          <th scope="col" class="num">{t('acc.approved')}</th>
                          <th scope="col" class="num">{t('acc.rejected')}</th>
                          <th scope="col" class="num">{t('acc.open')}</th>
                          <th scope="col" class="num">{t('acc.overdue')}</th>
                          <th scope="col" class="num">{t('acc.mean')}</th>
                          <th scope="col" class="num">{t('acc.limit')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {services.map((s) => (
                          <tr key={`${s.agency}/${s.service}`}>
                            <th scope="row">
                              {s.name}
                              <br />
                              <span class="small">{s.agencyName}</span>
                            </th>
                            <td class="num">{num(s.submitted)}</td>
                            <td class="num">{num(s.approved)}</td>
                            <td class="num">{num(s.rejected)}</td>
                            <td class="num">{num(s.open)}</td>
                            <td class="num">{num(s.overdue.length)}</td>
                            <td class="num">{s.meanProcessingDays === null ? '–' : new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: 1 }).format(s.meanProcessingDays)}</td>
                            <td class="num">{num(s.timeLimitDays)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
                {services.some((s) => s.overdue.length > 0) && (
                  <section aria-labelledby="overdue-h">
                    <h2 id="overdue-h">{t('acc.overdueList')}</h2>
                    <ul>
                      {services.flatMap((s) =>
                        s.overdue.map((o) => (
                          <li key={o.application}>
                            {s.name}: <Mono>{o.application}</Mono> — {t('acc.daysOverdue', { days: o.daysOverdue })} (<Time iso={o.deadline} />)
                          </li>
                        )),
                      )}
                    </ul>
                  </section>
                )}
              </>
            )}
          </>
        )}
      </ShowVerified>
      <Throughput />
    </>
  );
}

/** Transactions per minute over the last blocks, from their headers. */
function Throughput(): JSX.Element {
  const { t, num, lang } = useI18n();
  const loaded = useLoad(async () => {
    const status = await client.status();
    const heights: number[] = [];
    for (let h = status.height; h >= 1 && heights.length < BLOCKS; h--) heights.push(h);
    const blocks = await Promise.all(heights.map((h) => client.block(h)));
    const perMinute = new Map<number, number>();
    for (const b of blocks) {
      const m = Math.floor(Date.parse(b.header.time) / 60_000);
      perMinute.set(m, (perMinute.get(m) ?? 0) + b.header.txCount);
    }
    const minutes = [...perMinute.keys()].sort((a, b) => a - b);
    const buckets: { minute: number; value: number }[] = [];
    if (minutes.length > 0) for (let m = minutes[0]!; m <= minutes[minutes.length - 1]! && buckets.length < 120; m++) buckets.push({ minute: m, value: perMinute.get(m) ?? 0 });
    return { buckets, txs: blocks.reduce((n, b) => n + b.header.txCount, 0), blocks: blocks.length };
  }, []);
  const tf = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-US', { hour: '2-digit', minute: '2-digit' });
  return (
    <section aria-labelledby="tp-h">
      <h2 id="tp-h">{t('tp.title')}</h2>
      <p class="small">{t('tp.note')}</p>
      <ShowVerified loaded={loaded}>
        {({ buckets, txs, blocks }) =>
          buckets.length === 0 ? (
            <p>{t('blocks.none')}</p>
          ) : (
            <>
              <ColumnChart
                id="tp"
                title={t('tp.title')}
                desc={t('tp.desc', { txs, blocks, minutes: buckets.length, max: Math.max(...buckets.map((b) => b.value)) })}
                data={buckets.map((b) => ({ label: tf.format(new Date(b.minute * 60_000)), value: b.value }))}
              />
              <details>
                <summary>{t('tp.table')}</summary>
                <table>
                  <caption class="sr-only">{t('tp.table')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('tp.minute')}</th>
                      <th scope="col" class="num">{t('blocks.txs')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {buckets.map((b) => (
                      <tr key={b.minute}>
                        <td>{tf.format(new Date(b.minute * 60_000))}</td>
                        <td class="num">{num(b.value)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
              <p>
                <Link href="/">{t('tp.explorer')}</Link>
              </p>
            </>
          )
        }
      </ShowVerified>
    </section>
  );
}
