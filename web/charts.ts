/**
 * Simple bar charts drawn on the server as SVG: no script, readable at 360 px
 * (the drawing scales to its box), and described in words for screen readers
 * (the table beside each chart holds the same figures).
 */
import { html, type SafeHtml } from './html.ts';

export interface BarSegment {
  value: number;
  /** A class of site.css giving the colour ('ok', 'ko', 'warn', 'muted', 'info'). */
  tone: string;
  name: string;
}

export interface Bar {
  label: string;
  segments: BarSegment[];
  /** Written at the end of the bar. */
  caption: string;
}

const WIDTH = 640;
const LABEL = 190;
const ROW = 26;
const CAPTION = 90;

/** Horizontal stacked bars; `max` is the value of a full bar (the largest total by default). */
export function barChart(title: string, description: string, bars: Bar[], max?: number): SafeHtml {
  const top = Math.max(max ?? 0, ...bars.map((b) => b.segments.reduce((s, x) => s + x.value, 0)), 1);
  const plot = WIDTH - LABEL - CAPTION;
  const height = bars.length * ROW + 8;
  const legend = [...new Map(bars.flatMap((b) => b.segments).map((s) => [s.name, s.tone])).entries()];
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${title} : ${description}" preserveAspectRatio="xMinYMin meet">
<title>${title}</title>
${bars.map((bar, i) => {
  const y = i * ROW + 4;
  let x = LABEL;
  return html`<g>
<text x="${LABEL - 8}" y="${y + 16}" text-anchor="end" class="axis">${bar.label.length > 26 ? `${bar.label.slice(0, 25)}…` : bar.label}</text>
${bar.segments.map((s) => {
  const w = (s.value / top) * plot;
  const rect = w > 0 ? html`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 8}" class="bar ${s.tone}"><title>${s.name} : ${s.value}</title></rect>` : '';
  x += w;
  return rect;
})}
<text x="${(x + 6).toFixed(1)}" y="${y + 16}" class="value">${bar.caption}</text>
</g>`;
})}
</svg>
${legend.length > 1 ? html`<figcaption><ul class="legend">${legend.map(([name, tone]) => html`<li><span class="swatch ${tone}"></span>${name}</li>`)}</ul></figcaption>` : ''}
</figure>`;
}
