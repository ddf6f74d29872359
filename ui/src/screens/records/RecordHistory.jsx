// A record's history: its audit log entries (GET /api/audit?filter=record=...), newest first, with what changed.
import { useEffect, useState } from "react";
import { pb } from "../../lib/pb.js";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { valueText } from "./fieldTypes.js";

const HISTORY_PAGE = 50;
// after a change, when to read the history again: the audit log trails a write by the change stream's lag
const CATCH_UP_MS = [1500, 3000, 6000];

function actorText(actor) {
  if (!actor) return "unknown";
  if (actor.kind === "auth" || actor.kind === "impersonator") return `${actor.collectionName} ${actor.id}${actor.kind === "impersonator" ? ` (impersonated by ${actor.impersonatorId})` : ""}`;
  return actor.kind;
}

export function RecordHistory({ collection, record }) {
  const [entries, setEntries] = useState(null);
  const [error, setError] = useState(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let stale = false;
    // one record's entries come from their own index (docs/api-audit.md, "A record's history")
    const filter = pb.filter("record = {:id} && collectionName = {:c}", { id: record.id, c: collection.name });
    const read = () =>
      pb.send("/api/audit", { query: { filter, perPage: HISTORY_PAGE, sort: "-created" } })
        .then((r) => !stale && (setEntries(r.items), setError(null)))
        .catch((err) => !stale && setError(apiError(err)));
    read();
    // `record` changes on a save and on each realtime update; its entry is written by another stream consumer a
    // second or two later (in no set order with the realtime event), so read again a few times to catch it
    const timers = CATCH_UP_MS.map((ms) => setTimeout(read, ms));
    return () => {
      stale = true;
      timers.forEach(clearTimeout);
    };
  }, [collection.name, record, generation]);

  return (
    <section className="record-history" aria-label="History">
      <div className="toolbar">
        <p className="muted">Changes reach the log a second or two after they are made.</p>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setGeneration((g) => g + 1)}>Refresh history</button>
      </div>
      <ErrorBanner error={error} />
      {!entries && !error && <Spinner label="Loading history" />}
      {entries && !entries.length && <p className="muted">No changes recorded yet.</p>}
      {entries && entries.length > 0 && (
        <ol className="history-list">
          {entries.map((entry) => (
            <li key={entry.id}>
              <div><strong>{entry.action}</strong> <span className="muted">{entry.created} by {actorText(entry.actor)}</span></div>
              <table className="history-changes">
                <thead><tr><th scope="col">Field</th><th scope="col">Old</th><th scope="col">New</th></tr></thead>
                <tbody>
                  {Object.entries(entry.changes || {}).map(([name, change]) => (
                    <tr key={name}><th scope="row">{name}</th><td>{valueText(change.old)}</td><td>{valueText(change.new)}</td></tr>
                  ))}
                </tbody>
              </table>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
