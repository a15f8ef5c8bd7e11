/**
 * Aggregate tax statistics (GET /v1/tax/stats): taxpayers, e-invoices, net amounts, VAT,
 * declarations, assessed and collected, overall and per month. The overall counters
 * (`tax/stats`) and each month's (`tax/stats/<YYYY-MM>`) are proven against a verified
 * checkpoint, and the node's answer must equal them. No taxpayer is named.
 */
import type { JSX } from 'preact';
import { useChain } from '../app.js';
import { GroupedBarChart } from '../chart.js';
import { Fields, PageTitle, ProvenVerdict, ShowVerified, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { checkSummary, getJson, proveRecords, withRetry } from '../registry.js';

interface Overall {
  taxpayers: number;
  invoices: number;
  amount: number;
  vat: number;
  declarations: number;
  assessed: number;
  collected: number;
}
interface Period {
  invoices: number;
  amount: number;
  vat: number;
  declarations: number;
}

const ZERO: Overall = { taxpayers: 0, invoices: 0, amount: 0, vat: 0, declarations: 0, assessed: 0, collected: 0 };

export function TaxPage(): JSX.Element {
  const { t, num, money, month } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(
    () =>
      withRetry(async () => {
        const answer = (await getJson<{ overall: Overall; periods: Record<string, Period> }>('/v1/tax/stats'))!;
        const periods = Object.keys(answer.periods).sort();
        const p = await proveRecords<Overall | Period>(trust, 'tax', ['stats', ...periods.map((m) => `stats/${m}`)]);
        const overall = { ...ZERO, ...((p.values.get('stats') as Overall | null) ?? {}) };
        checkSummary('the overall statistics', answer.overall, overall);
        const rows = periods.map((m) => {
          const v = p.values.get(`stats/${m}`) as Period | null;
          checkSummary(`the statistics of ${m}`, answer.periods[m], v);
          return { period: m, ...v! };
        });
        return { overall, rows, checkpoint: p.checkpoint };
      }),
    [trust],
  );
  return (
    <>
      <PageTitle>{t('tax.title')}</PageTitle>
      <p class="lead">{t('tax.intro')}</p>
      <ShowVerified loaded={loaded}>
        {({ overall, rows, checkpoint }) => (
          <>
            <ProvenVerdict count={rows.length + 1} checkpoint={checkpoint} />
            <section aria-labelledby="overall-h">
              <h2 id="overall-h">{t('tax.overall')}</h2>
              <div data-testid="tax-overall">
                <Fields
                  rows={[
                    [t('tax.taxpayers'), num(overall.taxpayers)],
                    [t('tax.invoices'), num(overall.invoices)],
                    [t('tax.amount'), money(overall.amount)],
                    [t('tax.vat'), money(overall.vat)],
                    [t('tax.declarations'), num(overall.declarations)],
                    [t('tax.assessed'), money(overall.assessed)],
                    [t('tax.collected'), money(overall.collected)],
                  ]}
                />
              </div>
            </section>
            <section aria-labelledby="periods-h">
              <h2 id="periods-h">{t('tax.periods')}</h2>
              {rows.length === 0 ? (
                <p>{t('tax.noPeriods')}</p>
              ) : (
                <>
                  <GroupedBarChart
                    id="vat"
                    title={t('tax.chart')}
                    desc={t('tax.chartDesc', { count: rows.length })}
                    series={[
                      { name: t('tax.amount'), cls: 'bar-a' },
                      { name: t('tax.vat'), cls: 'bar-b' },
                    ]}
                    rows={rows.map((r) => ({ label: month(r.period), values: [r.amount, r.vat] }))}
                  />
                  <div class="table-scroll">
                    <table data-testid="tax-periods">
                      <caption>{t('tax.table')}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('tax.period')}</th>
                          <th scope="col" class="num">{t('tax.invoices')}</th>
                          <th scope="col" class="num">{t('tax.amount')}</th>
                          <th scope="col" class="num">{t('tax.vat')}</th>
                          <th scope="col" class="num">{t('tax.declarations')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {rows.map((r) => (
                          <tr key={r.period}>
                            <th scope="row">{month(r.period)}</th>
                            <td class="num">{num(r.invoices)}</td>
                            <td class="num">{money(r.amount)}</td>
                            <td class="num">{money(r.vat)}</td>
                            <td class="num">{num(r.declarations)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </>
              )}
            </section>
          </>
        )}
      </ShowVerified>
    </>
  );
}
