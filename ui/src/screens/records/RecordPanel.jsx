// The record side panel: every field to edit, delete with a confirm, and the record's history from the audit log.
import { useEffect, useId, useState } from "react";
import { pb } from "../../lib/pb.js";
import { ConfirmDialog } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { CellValue } from "./CellValue.jsx";
import { FieldInput } from "./FieldInput.jsx";
import { RecordHistory } from "./RecordHistory.jsx";
import { isReadOnly, isViewCollection, recordLabel } from "./fieldTypes.js";
import { draftBody, newDraft, saveRecord } from "./recordDraft.js";

/** `record` null: a new record. `onSaved(record)`, `onDeleted(id)`, `onClose()`. */
export function RecordPanel({ collection, record, expand, onSaved, onDeleted, onClose }) {
  const fields = (collection.fields || []).filter((f) => f.type !== "password");
  const locked = isViewCollection(collection);
  const editable = locked ? [] : fields.filter((f) => !isReadOnly(f));
  const [draft, setDraft] = useState(() => newDraft(editable, record));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState("fields");
  const [confirming, setConfirming] = useState(false);
  const toasts = useToasts();
  const titleId = useId();
  const title = record ? recordLabel(record, collection) : `New ${collection.name} record`;

  useEffect(() => {
    setDraft(newDraft(editable, record));
    setError(null);
    // a realtime update of the open record refreshes what is shown, not what is being typed: only on another record
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [record?.id]);

  async function save(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await saveRecord(pb, collection, record?.id, draftBody(editable, draft), expand);
      setDraft(newDraft(editable, saved));
      toasts.success(record ? "Record saved." : "Record created.");
      onSaved(saved);
    } catch (err) {
      setError(apiError(err)); // the draft stays as typed
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    try {
      await pb.collection(collection.id).delete(record.id);
      toasts.success("Record deleted.");
      setConfirming(false);
      onDeleted(record.id);
    } catch (err) {
      setConfirming(false);
      setError(apiError(err));
    }
  }

  return (
    <aside className="record-panel" aria-labelledby={titleId} onKeyDown={(e) => {
      // Escape in one of the panel's dialogs (a confirm, the relation picker) closes that dialog only
      if (e.key === "Escape" && !e.defaultPrevented && !e.target.closest?.("dialog")) onClose();
    }}>
      <header className="record-panel-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="btn btn-icon" aria-label="Close record panel" onClick={onClose} autoFocus>×</button>
      </header>
      {record && (
        <div className="tabs" role="tablist" aria-label="Record">
          <button type="button" role="tab" aria-selected={tab === "fields"} className={tab === "fields" ? "active" : undefined} onClick={() => setTab("fields")}>Fields</button>
          <button type="button" role="tab" aria-selected={tab === "history"} className={tab === "history" ? "active" : undefined} onClick={() => setTab("history")}>History</button>
        </div>
      )}
      {tab === "history" && record ? (
        <RecordHistory collection={collection} record={record} />
      ) : (
        <form className="form" noValidate onSubmit={save} aria-label="Record fields">
          <ErrorBanner error={error} />
          {fields.map((f) => (
            <PanelField key={f.name} field={f} record={record} draft={draft} setDraft={setDraft} error={error?.fields[f.name]} locked={locked} />
          ))}
          {!locked && <div className="record-panel-actions">
            <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy || undefined}>
              {busy && <Spinner />}{record ? "Save changes" : "Create"}
            </button>
            {record && (
              <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>Delete</button>
            )}
          </div>}
        </form>
      )}
      <ConfirmDialog open={confirming} title="Delete record" message={`Delete ${title}? This cannot be undone.`}
        confirmLabel="Delete" onConfirm={remove} onCancel={() => setConfirming(false)} />
    </aside>
  );
}

function PanelField({ field, record, draft, setDraft, error, locked }) {
  const id = useId();
  const errorId = `${id}-error`;
  const readOnly = locked || isReadOnly(field);
  if (readOnly && !record) return null;
  const labelId = `${id}-label`;
  return (
    <div className={`field ${error ? "field-invalid" : ""}`}>
      <span className="field-label" id={labelId}>
        {field.name} <span className="muted">{field.type}{field.required ? ", required" : ""}{readOnly ? ", read-only" : ""}</span>
      </span>
      {readOnly ? (
        <div role="group" aria-labelledby={labelId} className="readonly-value"><CellValue field={field} record={record} linked /></div>
      ) : (
        <FieldInput field={field} draft={draft} setDraft={setDraft} record={record} label={field.name} describedBy={error ? errorId : undefined} />
      )}
      {field.help && <div className="field-help">{field.help}</div>}
      {error && <div id={errorId} className="field-error">{error}</div>}
    </div>
  );
}

/** The panel of a record known only by id (a card of a kanban, calendar or gallery): loaded with its relations. */
export function RecordPanelById({ collection, id, onChanged, onClose }) {
  const [record, setRecord] = useState(null);
  const [error, setError] = useState(null);
  const expand = (collection.fields || []).filter((f) => f.type === "relation").map((f) => f.name).join(",");
  useEffect(() => {
    let stale = false;
    pb.collection(collection.id).getOne(id, expand ? { expand } : {})
      .then((r) => !stale && setRecord(r))
      .catch((err) => !stale && setError(apiError(err)));
    return () => {
      stale = true;
    };
  }, [collection.id, id, expand]);
  if (error) return <aside className="record-panel" aria-label="Record"><ErrorBanner error={error} /><button type="button" className="btn btn-secondary" onClick={onClose}>Close</button></aside>;
  if (!record) return <aside className="record-panel" aria-label="Record"><Spinner label="Loading record" /></aside>;
  return (
    <RecordPanel collection={collection} record={record} expand={expand}
      onSaved={(r) => { setRecord(r); onChanged(); }} onDeleted={() => { onChanged(); onClose(); }} onClose={onClose} />
  );
}
