/**
 * A bar chart of transactions per block, drawn as inline SVG (no chart library needed
 * for one small chart). It is one image to assistive technology, described in words by
 * its title and description; each bar also carries a tooltip title.
 */
import type { JSX } from 'preact';
import { useI18n } from './i18n.js';

export interface BarDatum {
  height: number;
  txCount: number;
}

export function TxPerBlockChart(props: { data: BarDatum[] }): JSX.Element {
  const { t, num } = useI18n();
  const data = props.data;
  const W = 480;
  const H = 180;
  const pad = { l: 40, r: 8, t: 12, b: 26 };
  const max = Math.max(1, ...data.map((d) => d.txCount));
  const bw = (W - pad.l - pad.r) / Math.max(1, data.length);
  const y = (v: number): number => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const first = data[0]?.height ?? 0;
  const last = data[data.length - 1]?.height ?? 0;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">{t('chart.title')}</title>
        <desc id="chart-desc">{t('chart.desc', { count: data.length, from: first, to: last, max })}</desc>
        <line x1={pad.l} x2={W - pad.r} y1={y(0)} y2={y(0)} class="axis" />
        <text x={pad.l - 6} y={y(max) + 4} class="tick" text-anchor="end">
          {num(max)}
        </text>
        <text x={pad.l - 6} y={y(0)} class="tick" text-anchor="end">
          0
        </text>
        {data.map((d, i) => (
          <rect key={d.height} x={pad.l + i * bw + bw * 0.15} width={bw * 0.7} y={y(d.txCount)} height={Math.max(0, y(0) - y(d.txCount))} class="bar">
            <title>{`${t('chart.block')} ${num(d.height)}: ${num(d.txCount)} ${t('chart.txs').toLowerCase()}`}</title>
          </rect>
        ))}
        <text x={pad.l} y={H - 6} class="tick">
          {num(first)}
        </text>
        <text x={W - pad.r} y={H - 6} class="tick" text-anchor="end">
          {num(last)}
        </text>
      </svg>
      <figcaption>{t('chart.title')}</figcaption>
    </figure>
  );
}
