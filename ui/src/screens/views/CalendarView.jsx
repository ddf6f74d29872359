// A calendar view: a month or a week (UTC, weeks from Monday), read with the view's ?start=&end= window.
import { useCallback, useState } from "react";
import { useSearchParams } from "react-router";
import { ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { RecordPanelById } from "../records/RecordPanel.jsx";
import { recordLabel } from "../records/fieldTypes.js";
import { useLiveRecords } from "../records/useLiveRecords.js";
import { readView } from "./useViews.js";

const DAY_MS = 86_400_000;
const PER_PAGE = 500;
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function utcDay(date) {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}
function mondayOf(date) {
  const day = utcDay(date);
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
}
/** PocketBase's date text of a UTC midnight. */
function pbDate(date) {
  return `${date.toISOString().slice(0, 10)} 00:00:00.000Z`;
}
function dayKey(date) {
  return date.toISOString().slice(0, 10);
}
function parseDate(text) {
  return text ? new Date(String(text).replace(" ", "T")) : null;
}

/** The window shown: a week from its Monday, or the whole weeks covering a month. */
export function calendarWindow(mode, anchor) {
  if (mode === "week") {
    const start = mondayOf(anchor);
    return { start, end: new Date(start.getTime() + 7 * DAY_MS) };
  }
  const first = new Date(Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth(), 1));
  const next = new Date(Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth() + 1, 1));
  const start = mondayOf(first);
  const end = mondayOf(new Date(next.getTime() + 6 * DAY_MS));
  return { start, end };
}

function shift(mode, anchor, step) {
  if (mode === "week") return new Date(anchor.getTime() + step * 7 * DAY_MS);
  return new Date(Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth() + step, 1));
}

export function CalendarView({ collection, view }) {
  // ?date=YYYY-MM-DD&mode=week opens the calendar there (a link to a month or week)
  const [params] = useSearchParams();
  const [mode, setMode] = useState(params.get("mode") === "week" ? "week" : "month");
  const [anchor, setAnchor] = useState(() => {
    const asked = /^\d{4}-\d{2}-\d{2}$/.test(params.get("date") || "") ? new Date(`${params.get("date")}T00:00:00Z`) : null;
    return asked && !Number.isNaN(asked.getTime()) ? asked : utcDay(new Date());
  });
  const [openId, setOpenId] = useState(null);
  const { start, end } = calendarWindow(mode, anchor);
  const dateField = view.options?.dateField;
  const endField = view.options?.endField;
  const load = useCallback(
    () => readView(collection, view, { start: pbDate(start), end: pbDate(end), perPage: PER_PAGE }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [collection, view, start.getTime(), end.getTime()],
  );
  const live = useLiveRecords(collection, `${view.id}|${start.getTime()}|${end.getTime()}`, load, { patch: false });

  // each record on every shown day from its start to its end
  const byDay = {};
  for (const record of live.data?.items || []) {
    const from = parseDate(record[dateField]);
    if (!from) continue;
    const to = (endField && parseDate(record[endField])) || from;
    for (let t = Math.max(utcDay(from).getTime(), start.getTime()); t <= Math.min(to.getTime(), end.getTime() - 1); t += DAY_MS) {
      (byDay[dayKey(new Date(t))] ||= []).push(record);
    }
  }
  const days = [];
  for (let t = start.getTime(); t < end.getTime(); t += DAY_MS) days.push(new Date(t));
  const title = mode === "week"
    ? `Week of ${dayKey(start)}`
    : anchor.toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });

  return (
    <div className="records-layout">
      <div className="records-main">
        <div className="toolbar calendar-toolbar">
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setAnchor(shift(mode, anchor, -1))}>Previous {mode}</button>
          <h3 aria-live="polite">{title}</h3>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setAnchor(shift(mode, anchor, 1))}>Next {mode}</button>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setAnchor(utcDay(new Date()))}>Today</button>
          <div className="segmented" role="group" aria-label="Calendar range">
            {["month", "week"].map((m) => (
              <button key={m} type="button" className={`btn btn-sm ${mode === m ? "btn-primary" : "btn-secondary"}`} aria-pressed={mode === m} onClick={() => setMode(m)}>
                {m === "month" ? "Month" : "Week"}
              </button>
            ))}
          </div>
          {live.loading && <Spinner label="Loading" />}
        </div>
        <ErrorBanner error={live.error} />
        <div className={`calendar calendar-${mode}`} role="grid" aria-label={`${view.name}: ${title}`}>
          <div role="row" className="calendar-row calendar-head">
            {WEEKDAYS.map((d) => <div key={d} role="columnheader">{d}</div>)}
          </div>
          {chunk(days, 7).map((week) => (
            <div role="row" className="calendar-row" key={dayKey(week[0])}>
              {week.map((day) => {
                const outside = mode === "month" && day.getUTCMonth() !== anchor.getUTCMonth();
                return (
                  <div role="gridcell" key={dayKey(day)} className={`calendar-day ${outside ? "calendar-outside" : ""}`}>
                    <div className="calendar-date"><span aria-hidden="true">{day.getUTCDate()}</span><span className="visually-hidden">{dayKey(day)}</span></div>
                    <ul>
                      {(byDay[dayKey(day)] || []).map((record) => (
                        <li key={record.id}>
                          <button type="button" className="calendar-event" onClick={() => setOpenId(record.id)}>{recordLabel(record, collection)}</button>
                        </li>
                      ))}
                    </ul>
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      </div>
      {openId && <RecordPanelById key={openId} collection={collection} id={openId} onChanged={live.reload} onClose={() => setOpenId(null)} />}
    </div>
  );
}

function chunk(list, size) {
  const out = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
