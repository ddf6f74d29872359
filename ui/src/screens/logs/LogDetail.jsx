// One log in a dialog: its columns, its request data key by key, and the whole log as JSON to copy.
import { useEffect, useState } from "react";
import { Modal } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { CopyButton } from "../../lib/clipboard.jsx";
import { formatApiDate } from "../../lib/dates.js";
import { pb } from "../../lib/pb.js";
import { levelLabel } from "./logsFilter.js";

// The request keys first, in PocketBase's order; error and details last; anything else between.
const FIRST_KEYS = ["type", "method", "url", "status", "execTime", "auth", "authId", "userIP", "remoteIP", "referer", "userAgent"];
const LAST_KEYS = ["error", "details"];

function orderedKeys(data) {
  const keys = Object.keys(data || {});
  const first = FIRST_KEYS.filter((k) => keys.includes(k));
  const last = LAST_KEYS.filter((k) => keys.includes(k));
  return [...first, ...keys.filter((k) => !first.includes(k) && !last.includes(k)), ...last];
}

function shown(value) {
  if (value === null || value === undefined) return "null";
  return typeof value === "object" ? JSON.stringify(value, null, 2) : String(value);
}

/** The log `id` (null: closed); `initial` is the list's copy, shown while the full log loads. */
export function LogDetail({ id, initial, onClose }) {
  const [log, setLog] = useState(initial || null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!id) return undefined;
    let live = true;
    setError(null);
    setLog(initial && initial.id === id ? initial : null);
    pb.logs
      .getOne(id)
      .then((found) => live && setLog(found))
      .catch((err) => live && setError(apiError(err)));
    return () => {
      live = false;
    };
    // only a new id reloads: the list's copy (`initial`) is just what is shown while the full log loads
  }, [id]);
  const json = log ? JSON.stringify(log, null, 2) : "";
  return (
    <Modal
      open={!!id}
      title="Request log"
      onClose={onClose}
      className="modal-wide"
      footer={
        <>
          {log && <CopyButton text={json} label="Copy JSON" />}
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      <ErrorBanner error={error} />
      {!log && !error && <Spinner label="Loading log" />}
      {log && (
        <dl className="kv">
          <Row term="id"><span className="mono">{log.id}</span></Row>
          <Row term="level">
            <span className={`badge badge-level-${log.level}`}>{levelLabel(log.level)}</span> ({log.level})
          </Row>
          <Row term="created">{formatApiDate(log.created)}</Row>
          <Row term="message"><span className="mono">{log.message}</span></Row>
          {orderedKeys(log.data).map((key) => (
            <Row key={key} term={`data.${key}`} className={key === "error" ? "text-danger" : undefined}>
              {typeof log.data[key] === "object" && log.data[key] !== null ? (
                <pre className="code-block">{shown(log.data[key])}</pre>
              ) : (
                <span className="mono">{shown(log.data[key])}</span>
              )}
            </Row>
          ))}
        </dl>
      )}
    </Modal>
  );
}

function Row({ term, className, children }) {
  return (
    <div className="kv-row">
      <dt>{term}</dt>
      <dd className={className}>{children}</dd>
    </div>
  );
}
