// A user's live sessions (one per sign-in): when and where from, with revoke one and sign out everywhere.
import { useState } from "react";
import { ConfirmDialog } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { formatDate } from "../../lib/timeFormat.js";
import { recordSend, useRecordResource } from "./recordApi.js";

export function SessionsSection({ collection, record }) {
  const toasts = useToasts();
  const { data: sessions, error, setError, reload: load } = useRecordResource(collection, record, "sessions");
  const [busy, setBusy] = useState("");
  const [confirmAll, setConfirmAll] = useState(false);

  async function revoke(session) {
    setBusy(session.id);
    try {
      await recordSend(collection, record, `sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" });
      toasts.success("Session revoked.");
      await load();
    } catch (err) {
      setError(apiError(err));
    } finally {
      setBusy("");
    }
  }

  async function revokeAll() {
    try {
      await recordSend(collection, record, "sessions", { method: "DELETE" });
      toasts.success("Signed out everywhere.");
      setConfirmAll(false);
      await load();
    } catch (err) {
      setConfirmAll(false);
      setError(apiError(err));
    }
  }

  return (
    <section aria-labelledby="user-sessions">
      <div className="panel-head">
        <h3 id="user-sessions">Sessions</h3>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirmAll(true)}>Sign out everywhere</button>
      </div>
      <ErrorBanner error={error} />
      {!sessions && !error && <Spinner label="Loading sessions" />}
      {sessions && !sessions.length && <p className="muted">No live sessions.</p>}
      {sessions?.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Signed in</th>
              <th scope="col">Last used</th>
              <th scope="col">From</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>{formatDate(s.created)}{s.current && <> <span className="pill pill-yes">this session</span></>}</td>
                <td>{formatDate(s.lastUsed)}</td>
                <td className="wrap"><div>{s.ip}</div><div className="muted">{s.userAgent}</div></td>
                <td className="actions">
                  <button type="button" className="btn btn-secondary btn-sm" disabled={busy === s.id}
                          aria-label={`Revoke the session signed in ${formatDate(s.created)}`} onClick={() => revoke(s)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog open={confirmAll} title="Sign out everywhere" confirmLabel="Sign out everywhere"
                     message={`End every session of ${record.email || record.id}, and every auth and API token they hold?`}
                     onConfirm={revokeAll} onCancel={() => setConfirmAll(false)} />
    </section>
  );
}
