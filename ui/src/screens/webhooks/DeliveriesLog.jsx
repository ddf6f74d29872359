// A webhook's delivery log (one row per attempt, newest first, refreshed every few seconds): status, answer and
// response excerpt; redeliver a delivery, or see all its attempts.
import { useCallback, useEffect, useState } from "react";
import { Modal } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { DataTable } from "../../lib/table.jsx";
import { formatApiDate } from "../../lib/dates.js";
import { pb } from "../../lib/pb.js";
import { usePolling } from "../../lib/polling.js";
import { useToasts } from "../../lib/toasts.jsx";

const REFRESH_MS = 2000;
const PER_PAGE = 50;
const STATUSES = ["delivered", "retrying", "failed", "disabled", "skipped"];
const EXCERPT_CHARS = 80;

function StatusBadge({ status }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

function excerpt(text) {
  if (!text) return "";
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

export function DeliveriesLog({ webhookId }) {
  const toasts = useToasts();
  const [status, setStatus] = useState("");
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [opened, setOpened] = useState(null);

  const load = useCallback(async () => {
    const query = { webhookId, perPage: PER_PAGE };
    if (status) query.status = status;
    try {
      setResult(await pb.send("/api/webhooks/deliveries", { query }));
      setError(null);
    } catch (err) {
      setError(apiError(err));
    }
  }, [webhookId, status]);
  useEffect(() => {
    setResult(null);
    load();
  }, [load]);
  usePolling(load, REFRESH_MS);

  async function redeliver(deliveryId) {
    try {
      const { run } = await pb.send(`/api/webhooks/deliveries/${encodeURIComponent(deliveryId)}/redeliver`, { method: "POST" });
      toasts.success(`Redelivery queued (run ${run}).`);
      load();
    } catch (err) {
      setError(apiError(err));
    }
  }

  // The documented replay: every delivery of the last 24 hours whose latest attempt failed, as fresh runs.
  async function replayFailed() {
    try {
      const { queued, more } = await pb.send("/api/webhooks/replay", { method: "POST", body: { webhookId, onlyFailed: true } });
      toasts.success(queued ? `Replay queued for ${queued} failed deliver${queued === 1 ? "y" : "ies"}${more ? " (more remain)" : ""}.` : "No failed deliveries in the last 24 hours.");
      load();
    } catch (err) {
      setError(apiError(err));
    }
  }

  const items = result?.items || [];
  return (
    <section className="section" aria-labelledby="deliveries-title">
      <div className="section-header">
        <h2 id="deliveries-title">Delivery log</h2>
        <span className="muted">Last 24 hours · {result ? `${result.totalItems} attempt${result.totalItems === 1 ? "" : "s"}` : "loading"}</span>
        <button type="button" className="btn btn-secondary btn-sm" onClick={replayFailed}>
          Replay failed
        </button>
        <div className="field field-inline">
          <label htmlFor="deliveries-status">Status</label>
          <select id="deliveries-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorBanner error={error} />
      <DataTable
        caption="Delivery attempts, newest first"
        columns={["When", "Event", "Attempt", "Status", "Answer", "Response", { label: "Actions", hidden: true }]}
        count={items.length}
        loading={!result && !error}
        empty={result ? "No deliveries yet. Send a test, or write a record that matches the events." : ""}
      >
        {items.map((a) => (
          <tr key={a.id}>
            <td className="nowrap">{formatApiDate(a.at)}</td>
            <td className="mono">{a.eventType}</td>
            <td>
              {a.attempt}
              {a.run ? <span className="muted"> (run {a.run})</span> : null}
            </td>
            <td>
              <StatusBadge status={a.status} />
            </td>
            <td className="nowrap">
              {a.responseCode ? a.responseCode : <span className="muted">none</span>}
              <span className="muted"> · {a.durationMs} ms</span>
            </td>
            <td className="cell-main">
              {a.error ? <span className="text-danger">{a.error}</span> : <span className="mono">{excerpt(a.responseExcerpt)}</span>}
            </td>
            <td className="nowrap">
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => setOpened(a.deliveryId)} aria-label={`Attempts of delivery ${a.deliveryId}`}>
                Attempts
              </button>{" "}
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => redeliver(a.deliveryId)} aria-label={`Redeliver ${a.deliveryId}`}>
                Redeliver
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      <AttemptsDialog deliveryId={opened} onClose={() => setOpened(null)} />
    </section>
  );
}

function AttemptsDialog({ deliveryId, onClose }) {
  const [delivery, setDelivery] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!deliveryId) return undefined;
    let live = true;
    setDelivery(null);
    setError(null);
    pb.send(`/api/webhooks/deliveries/${encodeURIComponent(deliveryId)}`, {})
      .then((d) => live && setDelivery(d))
      .catch((err) => live && setError(apiError(err)));
    return () => {
      live = false;
    };
  }, [deliveryId]);
  return (
    <Modal
      open={!!deliveryId}
      title="Delivery attempts"
      onClose={onClose}
      className="modal-wide"
      footer={
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          Close
        </button>
      }
    >
      <p className="mono">{deliveryId}</p>
      <ErrorBanner error={error} />
      {!delivery && !error && <Spinner label="Loading attempts" />}
      {delivery && (
        <ol className="attempts">
          {delivery.attempts.map((a) => (
            <li key={a.id}>
              <div>
                <StatusBadge status={a.status} /> attempt {a.attempt}
                {a.run ? ` of run ${a.run}` : ""} · {formatApiDate(a.at)} · {a.responseCode || "no answer"} · {a.durationMs} ms
                {a.nextRetryAt ? ` · next try ${formatApiDate(a.nextRetryAt)}` : ""}
              </div>
              {a.error && <div className="text-danger">{a.error}</div>}
              {a.responseExcerpt && <pre className="code-block">{a.responseExcerpt}</pre>}
            </li>
          ))}
        </ol>
      )}
    </Modal>
  );
}
