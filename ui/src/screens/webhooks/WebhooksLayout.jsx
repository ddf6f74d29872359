// The webhooks area: the subscriptions (`_webhooks` records) in a sidebar beside the selected one, and the
// one-time display of a signing secret (after a create or a rotation) that any screen of the area can open.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { Link, NavLink, Outlet } from "react-router";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { pb } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";
import { SecretDialog } from "./SecretDialog.jsx";
import "../../styles/ops.css";

export const WEBHOOKS = "_webhooks";
const WebhooksContext = createContext(null);

/** {list, loading, reload(), byId(id), reveal({secret, ...})} of the webhooks area. */
export function useWebhooks() {
  return useContext(WebhooksContext);
}

export function WebhooksLayout() {
  const [list, setList] = useState([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [revealed, setRevealed] = useState(null);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setList(await pb.collection(WEBHOOKS).getFullList({ sort: "-created" }));
      setError(null);
    } catch (err) {
      setError(apiError(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    reload();
  }, [reload]);

  const value = useMemo(
    () => ({ list, loading, reload, byId: (id) => list.find((w) => w.id === id) || null, reveal: setRevealed }),
    [list, loading, reload],
  );
  return (
    <WebhooksContext.Provider value={value}>
      <div className="with-sidebar">
        <aside className="sidebar" aria-label="Webhooks">
          <h2 className="sidebar-title">Subscriptions</h2>
          {loading && !list.length ? <Spinner label="Loading webhooks" /> : null}
          <ErrorBanner error={error} />
          <nav aria-label="Webhooks list">
            <ul className="sidebar-list">
              {list.map((hook) => (
                <li key={hook.id}>
                  <NavLink to={`/webhooks/${hook.id}`} className={({ isActive }) => (isActive ? "active" : undefined)}>
                    <span className={`dot ${hook.enabled ? "dot-on" : "dot-off"}`} aria-hidden="true" />
                    <span className="sidebar-name">{hook.description || hook.url}</span>
                    <span className="visually-hidden">{hook.enabled ? " (enabled)" : " (disabled)"}</span>
                  </NavLink>
                </li>
              ))}
            </ul>
            {!loading && !list.length && <p className="muted sidebar-empty">No webhooks yet.</p>}
          </nav>
          <div className="sidebar-foot">
            <Link to="/webhooks/new" className="btn btn-primary btn-block">
              + New webhook
            </Link>
          </div>
        </aside>
        <div className="page">
          <Outlet />
        </div>
      </div>
      <SecretDialog revealed={revealed} onClose={() => setRevealed(null)} />
    </WebhooksContext.Provider>
  );
}

export function WebhooksIndex() {
  const { list } = useWebhooks();
  const toasts = useToasts();
  const [error, setError] = useState(null);
  // Dead letters are deliveries that used up their attempts; moving them back starts each as a fresh run.
  async function replayUndelivered() {
    setError(null);
    try {
      const { queued } = await pb.send("/api/webhooks/undelivered/replay", { method: "POST" });
      toasts.success(queued ? `${queued} undelivered deliver${queued === 1 ? "y" : "ies"} queued again.` : "No undelivered deliveries.");
    } catch (err) {
      setError(apiError(err));
    }
  }
  return (
    <>
      <h1>Webhooks</h1>
      <p>
        A webhook POSTs the app's events (record changes, sign-ins, webhook events) to your endpoint, signed as the Standard
        Webhooks specification says, retried on a schedule and logged attempt by attempt.
      </p>
      <p>{list.length ? "Pick a subscription in the sidebar, or " : ""}<Link to="/webhooks/new">create a webhook</Link>.</p>
      <h2>Undelivered</h2>
      <p>Deliveries that failed every attempt wait 14 days in the undelivered queue.</p>
      <ErrorBanner error={error} />
      <button type="button" className="btn btn-secondary" onClick={replayUndelivered}>
        Replay undelivered
      </button>
    </>
  );
}
