/**
 * Charts drawn as inline SVG (no chart library needed for a few small charts): columns of
 * one measure (transactions per block, per minute) and grouped horizontal bars (figures
 * per service, per month). Each is one image to assistive technology, described in words
 * by its title and description; each bar also carries a tooltip title, and pages give the
 * same figures in a table.
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
  const max = Math.max(1, ...data.map((d) => d.txCount));
  return (
    <ColumnChart
      id="chart"
      title={t('chart.title')}
      desc={t('chart.desc', { count: data.length, from: data[0]?.height ?? 0, to: data[data.length - 1]?.height ?? 0, max })}
      data={data.map((d) => ({ label: num(d.height), value: d.txCount, title: `${t('chart.block')} ${num(d.height)}: ${num(d.txCount)} ${t('chart.txs').toLowerCase()}` }))}
    />
  );
}

/** One series of a grouped bar chart (its CSS class picks an AA-contrast colour). */
export interface Series {
  name: string;
  cls: 'bar-a' | 'bar-b' | 'bar-c' | 'bar-d' | 'bar-e';
}

/**
 * Horizontal grouped bars, one group per row (e.g. per service), as inline SVG. The SVG is
 * one image described in words; the same figures follow in a data table (the accessible
 * alternative, and the precise values).
 */
export function GroupedBarChart(props: { id: string; title: string; desc: string; series: Series[]; rows: { label: string; values: number[] }[] }): JSX.Element {
  const { t, num } = useI18n();
  const { id, series, rows } = props;
  const W = 480;
  const labelW = 0;
  const barH = 10;
  const groupH = series.length * barH + 26;
  const H = 28 + rows.length * groupH;
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const x = (v: number): number => labelW + 8 + (W - labelW - 60) * (v / max);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{props.desc}</desc>
        {series.map((s, i) => (
          <g key={s.name}>
            <rect x={8 + i * 92} y={4} width={12} height={12} class={s.cls} />
            <text x={24 + i * 92} y={15} class="tick legend">
              {s.name}
            </text>
          </g>
        ))}
        {rows.map((r, ri) => {
          const top = 28 + ri * groupH;
          return (
            <g key={r.label}>
              <text x={8} y={top + 14} class="tick">
                {r.label.length > 48 ? `${r.label.slice(0, 47)}…` : r.label}
              </text>
              {r.values.map((v, si) => (
                <g key={si}>
                  <rect x={8} y={top + 20 + si * barH} width={Math.max(1, x(v) - 8)} height={barH - 2} class={series[si]!.cls}>
                    <title>{`${r.label}: ${series[si]!.name} ${num(v)}`}</title>
                  </rect>
                  <text x={x(v) + 4} y={top + 20 + si * barH + 8} class="tick value">
                    {num(v)}
                  </text>
                </g>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {props.title} · {t('chart.tableBelow')}
      </figcaption>
    </figure>
  );
}

/** Vertical columns of one measure over labelled buckets (e.g. transactions per minute). */
export function ColumnChart(props: { id: string; title: string; desc: string; data: { label: string; value: number; title?: string }[] }): JSX.Element {
  const { num } = useI18n();
  const data = props.data;
  const W = 480;
  const H = 180;
  const pad = { l: 40, r: 8, t: 12, b: 26 };
  const max = Math.max(1, ...data.map((d) => d.value));
  const bw = (W - pad.l - pad.r) / Math.max(1, data.length);
  const y = (v: number): number => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`}>
        <title id={`${props.id}-title`}>{props.title}</title>
        <desc id={`${props.id}-desc`}>{props.desc}</desc>
        <line x1={pad.l} x2={W - pad.r} y1={y(0)} y2={y(0)} class="axis" />
        <text x={pad.l - 6} y={y(max) + 4} class="tick" text-anchor="end">
          {num(max)}
        </text>
        <text x={pad.l - 6} y={y(0)} class="tick" text-anchor="end">
          0
        </text>
        {data.map((d, i) => (
          <rect key={d.label} x={pad.l + i * bw + bw * 0.15} width={bw * 0.7} y={y(d.value)} height={Math.max(0, y(0) - y(d.value))} class="bar">
            <title>{d.title ?? `${d.label}: ${num(d.value)}`}</title>
          </rect>
        ))}
        <text x={pad.l} y={H - 6} class="tick">
          {data[0]?.label ?? ''}
        </text>
        <text x={W - pad.r} y={H - 6} class="tick" text-anchor="end">
          {data[data.length - 1]?.label ?? ''}
        </text>
      </svg>
      <figcaption>{props.title}</figcaption>
    </figure>
  );
}
