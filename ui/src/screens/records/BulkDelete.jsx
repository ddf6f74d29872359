// Deleting the selected records: a confirm, then one delete at a time with progress; a failure stops and says which.
import { useState } from "react";
import { pb } from "../../lib/pb.js";
import { ConfirmDialog } from "../../lib/dialog.jsx";
import { apiError } from "../../lib/errors.jsx";
import { Progress } from "../../lib/progress.jsx";

export function BulkDelete({ collection, ids, onDone, onClear }) {
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  const n = ids.length;

  async function run() {
    setConfirming(false);
    setError(null);
    let count = 0;
    setDone(0);
    for (const id of ids) {
      try {
        await pb.collection(collection.id).delete(id);
      } catch (err) {
        setError(`Stopped after ${count} of ${n}: ${apiError(err).message}`);
        setDone(null);
        if (count) onDone(count);
        return;
      }
      count += 1;
      setDone(count);
    }
    setDone(null);
    onDone(count);
  }

  return (
    <div className="bulk-bar" role="region" aria-label="Selected records">
      <span>{n} selected</span>
      <button type="button" className="btn btn-danger btn-sm" onClick={() => setConfirming(true)} disabled={done !== null}>Delete selected</button>
      <button type="button" className="btn btn-secondary btn-sm" onClick={onClear} disabled={done !== null}>Clear selection</button>
      {done !== null && <Progress label={`Deleting ${n} records`} value={done} max={n} />}
      {error && <div className="alert alert-danger" role="alert">{error}</div>}
      <ConfirmDialog open={confirming} title={`Delete ${n} record${n === 1 ? "" : "s"}`}
        message={`Delete ${n} selected record${n === 1 ? "" : "s"} of ${collection.name}? This cannot be undone.`}
        confirmLabel={`Delete ${n}`} onConfirm={run} onCancel={() => setConfirming(false)} />
    </div>
  );
}
