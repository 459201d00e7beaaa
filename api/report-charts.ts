import { escapeHtml } from '../records/mail/change-mail';

export interface BarGroup {
  label: string;
  /** One value per series (null: nothing to show). */
  values: (number | null)[];
}

const COLOURS = ['#9db4d6', '#1f4e8c'];

/**
 * A grouped bar chart as inline SVG: no script and no library, so the page prints and renders anywhere.
 * `target` draws a dashed line across (e.g. the SLA target).
 */
export function barChart(options: { title: string; series: string[]; groups: BarGroup[]; max: number; unit?: string; target?: number }): string {
  const width = 520;
  const height = 220;
  const left = 40;
  const bottom = 30;
  const plotHeight = height - bottom - 30;
  const groupWidth = (width - left - 10) / options.groups.length;
  const barWidth = Math.min(40, (groupWidth - 20) / options.series.length);
  const y = (value: number) => 30 + plotHeight - (value / options.max) * plotHeight;
  const bars = options.groups
    .map((group, g) =>
      group.values
        .map((value, s) => {
          if (value === null) return '';
          const x = left + g * groupWidth + 10 + s * barWidth;
          return `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${(30 + plotHeight - y(value)).toFixed(1)}" fill="${COLOURS[s % COLOURS.length]}"><title>${escapeHtml(`${options.series[s]}: ${value}${options.unit ?? ''}`)}</title></rect><text x="${(x + barWidth / 2 - 2).toFixed(1)}" y="${(y(value) - 4).toFixed(1)}" font-size="10" text-anchor="middle">${value}</text>`;
        })
        .join('') + `<text x="${(left + g * groupWidth + groupWidth / 2).toFixed(1)}" y="${height - 10}" font-size="12" text-anchor="middle">${escapeHtml(group.label)}</text>`,
    )
    .join('');
  const target = options.target === undefined ? '' : `<line x1="${left}" x2="${width - 10}" y1="${y(options.target).toFixed(1)}" y2="${y(options.target).toFixed(1)}" stroke="#a12a2a" stroke-dasharray="6 4"/><text x="${width - 12}" y="${(y(options.target) - 4).toFixed(1)}" font-size="10" text-anchor="end" fill="#a12a2a">target ${options.target}${options.unit ?? ''}</text>`;
  const legend = options.series.map((name, s) => `<rect x="${left + s * 130}" y="6" width="10" height="10" fill="${COLOURS[s % COLOURS.length]}"/><text x="${left + s * 130 + 14}" y="15" font-size="11">${escapeHtml(name)}</text>`).join('');
  return `<figure><figcaption>${escapeHtml(options.title)}</figcaption><svg role="img" aria-label="${escapeHtml(options.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><line x1="${left}" x2="${left}" y1="30" y2="${30 + plotHeight}" stroke="#888"/><line x1="${left}" x2="${width - 10}" y1="${30 + plotHeight}" y2="${30 + plotHeight}" stroke="#888"/>${legend}${bars}${target}</svg></figure>`;
}
