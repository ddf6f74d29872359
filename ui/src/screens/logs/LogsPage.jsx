// The logs screen: a filter bar (PocketBase's filter language, level, time range), the requests-per-hour
// chart, the newest logs first with "load more", and a log's detail in a dialog (deep-linked by ?log=<id>).
import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { DataTable } from "../../lib/table.jsx";
import { formatApiDate } from "../../lib/dates.js";
import { pb } from "../../lib/pb.js";
import { LogsChart } from "./LogsChart.jsx";
import { LogDetail } from "./LogDetail.jsx";
import { LOG_LEVELS, levelLabel, logsFilter } from "./logsFilter.js";
import "../../styles/ops.css";

const PER_PAGE = 50;
const QUERY_KEYS = ["q", "level", "from", "to", "superusers"];

function queryOf(params) {
  return {
    q: params.get("q") || "",
    level: params.get("level") || "",
    from: params.get("from") || "",
    to: params.get("to") || "",
    superusers: params.get("superusers") === "1",
  };
}

export function LogsPage() {
  const [params, setParams] = useSearchParams();
  const query = queryOf(params);
  const filter = logsFilter(query);
  const [logs, setLogs] = useState([]);
  const [page, setPage] = useState(1);
  const [more, setMore] = useState(false);
  const [stats, setStats] = useState([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [reloads, setReloads] = useState(0);
  const openId = params.get("log");

  const fetchPage = useCallback(
    (next) => pb.logs.getList(next, PER_PAGE, { filter, sort: "-@rowid", skipTotal: true }),
    [filter],
  );
  function showPage(next, result) {
    setLogs((old) => (next === 1 ? result.items : [...old, ...result.items]));
    setPage(next);
    setMore(result.items.length === PER_PAGE);
  }

  useEffect(() => {
    // `live`: an answer for a filter the user has already changed is dropped, never shown over the newer one
    let live = true;
    setLoading(true);
    setError(null);
    // Both requests are made together; a failure shows the list's message first (PocketBase words a bad filter
    // differently on the list and on the stats), so the same mistake always reads the same.
    Promise.allSettled([fetchPage(1), pb.logs.getStats({ filter })])
      .then(([first, hourly]) => {
        if (!live) return;
        const failed = [first, hourly].find((r) => r.status === "rejected");
        if (failed) {
          setLogs([]);
          setStats([]);
          setMore(false);
          setError(apiError(failed.reason));
          return;
        }
        showPage(1, first.value);
        setStats(hourly.value);
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [filter, fetchPage, reloads]);

  function apply(values) {
    const next = new URLSearchParams(params);
    for (const key of QUERY_KEYS) next.delete(key);
    for (const [key, value] of Object.entries(values)) {
      if (value === true) next.set(key, "1");
      else if (value) next.set(key, value);
    }
    setParams(next);
  }

  function openLog(id) {
    const next = new URLSearchParams(params);
    if (id) next.set("log", id);
    else next.delete("log");
    setParams(next);
  }

  async function loadMore() {
    setLoading(true);
    try {
      showPage(page + 1, await fetchPage(page + 1));
    } catch (err) {
      setError(apiError(err));
    } finally {
      setLoading(false);
    }
  }

  const total = stats.reduce((sum, s) => sum + s.total, 0);
  return (
    <div className="page">
      <header className="page-header">
        <h1>Logs</h1>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setReloads((n) => n + 1)} disabled={loading}>
          Refresh
        </button>
        <span className="muted" aria-live="polite">
          {loading ? "Loading…" : `Total: ${total}`}
        </span>
      </header>
      {/* remounted with the query in the address (back/forward, Reset), not when a log opens */}
      <LogsFilterBar key={QUERY_KEYS.map((k) => params.get(k) || "").join("\n")} query={query} onApply={apply} />
      <ErrorBanner error={error} />
      <LogsChart stats={stats} loading={loading} />
      <LogsTable logs={logs} loading={loading} onOpen={openLog} />
      {more && (
        <button type="button" className="btn btn-secondary" onClick={loadMore} disabled={loading}>
          Load more
        </button>
      )}
      <LogDetail id={openId} initial={logs.find((l) => l.id === openId)} onClose={() => openLog(null)} />
    </div>
  );
}

function LogsFilterBar({ query, onApply }) {
  const [values, setValues] = useState(query);
  const set = (name, value) => setValues((v) => ({ ...v, [name]: value }));
  return (
    <form
      role="search"
      aria-label="Filter logs"
      className="filter-bar"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(values);
      }}
    >
      <div className="field filter-grow">
        <label htmlFor="logs-q">Search or filter</label>
        <input id="logs-q" type="search" aria-describedby="logs-q-help" placeholder='Search term or filter like level > 0 && data.status = 404' value={values.q} onChange={(e) => set("q", e.target.value)} />
        <div className="field-help" id="logs-q-help">
          A plain term searches the message. A filter may name id, created, level, message and data.&lt;path&gt; (data.status, data.auth, data.url...).
        </div>
      </div>
      <div className="field">
        <label htmlFor="logs-level">Level</label>
        <select id="logs-level" value={values.level} onChange={(e) => set("level", e.target.value)}>
          <option value="">Any</option>
          {LOG_LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label} and above
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="logs-from">From</label>
        <input id="logs-from" type="datetime-local" value={values.from} onChange={(e) => set("from", e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="logs-to">To</label>
        <input id="logs-to" type="datetime-local" value={values.to} onChange={(e) => set("to", e.target.value)} />
      </div>
      <div className="field field-checkbox">
        <input id="logs-superusers" type="checkbox" checked={values.superusers} onChange={(e) => set("superusers", e.target.checked)} />
        <label htmlFor="logs-superusers">Include requests by superusers</label>
      </div>
      <div className="filter-actions">
        <button type="submit" className="btn btn-primary">
          Apply
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => onApply({})}>
          Reset
        </button>
      </div>
    </form>
  );
}

function LogsTable({ logs, loading, onOpen }) {
  return (
    <DataTable caption="Request logs, newest first" columns={["Level", "Message", "Status", "Auth", "Created"]} count={logs.length} loading={loading} empty="No logs found.">
      {logs.map((log) => (
        <tr key={log.id}>
          <td>
            <span className={`badge badge-level-${log.level}`}>{levelLabel(log.level)}</span>
          </td>
          <td className="cell-main">
            <button type="button" className="btn btn-link mono text-left" onClick={() => onOpen(log.id)}>
              {log.message}
            </button>
          </td>
          <td>{log.data?.status ?? ""}</td>
          <td>{log.data?.auth || <span className="muted">guest</span>}</td>
          <td className="nowrap">{formatApiDate(log.created)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
