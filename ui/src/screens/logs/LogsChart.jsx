// Requests per hour from /api/logs/stats: an SVG bar chart with a text summary, and the same numbers as a table.
import { useEffect, useId, useRef, useState } from "react";
import { parseApiDate, toApiDate } from "../../lib/dates.js";

const HOUR_MS = 3600 * 1000;
const MIN_HOURS = 24;
const MAX_HOURS = 24 * 31; // a month of bars at most; the list's time range narrows a longer window
const DEFAULT_WIDTH = 800;
const HEIGHT = 170;
const MAX_BAR = 48; // a few hours of data stay bars, not blocks
const PAD = { left: 44, right: 8, top: 10, bottom: 26 };

function hourLabel(ms) {
  return toApiDate(new Date(ms)).slice(0, 16);
}

/**
 * The stats as one entry per hour, the hours without logs at 0: from the first to the last hour with logs, and
 * at least the 24 hours up to the current one (PocketBase's chart also shows the timeline, not only its points).
 */
export function hourlySeries(stats, nowMs = Date.now()) {
  const points = stats
    .map((s) => ({ ms: parseApiDate(s.date)?.getTime(), total: s.total }))
    .filter((p) => Number.isFinite(p.ms));
  if (!points.length) return [];
  const byHour = new Map(points.map((p) => [Math.floor(p.ms / HOUR_MS) * HOUR_MS, p.total]));
  const hours = [...byHour.keys()];
  const newest = Math.max(...hours);
  const nowHour = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  // up to now, unless that would push the logs (a range long past) out of the chart
  const last = nowHour - newest < (MAX_HOURS - 1) * HOUR_MS ? Math.max(newest, nowHour) : newest;
  const first = Math.max(Math.min(...hours, last - (MIN_HOURS - 1) * HOUR_MS), last - (MAX_HOURS - 1) * HOUR_MS);
  const series = [];
  for (let ms = first; ms <= last; ms += HOUR_MS) series.push({ ms, total: byHour.get(ms) || 0 });
  return series;
}

/** A round top of the y axis at or above `max`. */
function niceMax(max) {
  if (max <= 5) return Math.max(max, 1);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((s) => s * magnitude >= max) * magnitude;
  return step;
}

/** The width the SVG is drawn at, in CSS pixels, so text and bars are never stretched. */
function useWidth() {
  const ref = useRef(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(200, Math.round(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function LogsChart({ stats, loading }) {
  const [ref, width] = useWidth();
  const titleId = useId();
  const descId = useId();
  const series = hourlySeries(stats || []);
  const total = series.reduce((sum, p) => sum + p.total, 0);
  const busiest = series.reduce((best, p) => (p.total > (best?.total ?? -1) ? p : best), null);
  const summary = series.length
    ? `${total} requests over ${series.length} hour${series.length === 1 ? "" : "s"}, from ${hourLabel(series[0].ms)} to ` +
      `${hourLabel(series[series.length - 1].ms + HOUR_MS)} UTC; the busiest hour, ${hourLabel(busiest.ms)} UTC, had ${busiest.total}.`
    : "No requests in this range.";

  const top = niceMax(busiest?.total || 0);
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = series.length ? plotW / series.length : plotW;
  const barW = Math.min(MAX_BAR, Math.max(1, slot * 0.8));
  const y = (v) => PAD.top + plotH - (v / top) * plotH;
  const ticks = [0, top / 2, top];
  const labelled = series.length ? [...new Set([0, Math.floor((series.length - 1) / 2), series.length - 1])] : [];

  return (
    <figure className="logs-chart" aria-busy={loading || undefined}>
      <figcaption className="logs-chart-caption">
        <strong>Requests per hour</strong> <span className="muted">(UTC)</span>
      </figcaption>
      <svg ref={ref} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-labelledby={titleId} aria-describedby={descId} className="chart-svg">
        <title id={titleId}>Requests per hour</title>
        {ticks.map((t) => (
          <g key={t} className="chart-grid">
            <line x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
              {Number.isInteger(t) ? t : t.toFixed(1)}
            </text>
          </g>
        ))}
        {series.map((p, i) => (
          <rect key={p.ms} className="chart-bar" x={PAD.left + i * slot + (slot - barW) / 2} y={y(p.total)} width={barW} height={PAD.top + plotH - y(p.total)}>
            <title>{`${hourLabel(p.ms)} UTC: ${p.total}`}</title>
          </rect>
        ))}
        {labelled.map((i) => (
          <text key={i} className="chart-axis" x={PAD.left + i * slot + slot / 2} y={HEIGHT - 8} textAnchor={i === 0 ? "start" : i === series.length - 1 ? "end" : "middle"}>
            {hourLabel(series[i].ms).slice(5)}
          </text>
        ))}
      </svg>
      <p className="muted chart-summary" id={descId}>{summary}</p>
      <details className="chart-table">
        <summary>Show as a table</summary>
        <table className="table table-compact">
          <caption className="visually-hidden">Requests per hour</caption>
          <thead>
            <tr>
              <th scope="col">Hour (UTC)</th>
              <th scope="col">Requests</th>
            </tr>
          </thead>
          <tbody>
            {(stats || []).map((s) => (
              <tr key={s.date}>
                <td>{hourLabel(parseApiDate(s.date)?.getTime() || 0)}</td>
                <td>{s.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
