// Editing one cell: simple types in the cell itself (Enter saves, Escape cancels), the others in a dialog.
import { useId, useState } from "react";
import { pb } from "../../lib/pb.js";
import { Modal } from "../../lib/dialog.jsx";
import { apiError } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { FieldInput } from "./FieldInput.jsx";
import { editsInDialog, isMultiple } from "./fieldTypes.js";
import { draftBody, newDraft, saveRecord } from "./recordDraft.js";

/** A one-field save that keeps the typed value and shows the API's error (its field's message, else the whole). */
function useCellSave(collection, field, record, expand, onSaved) {
  const [draft, setDraft] = useState(() => newDraft([field], record));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await saveRecord(pb, collection, record.id, draftBody([field], draft), expand);
      onSaved(saved);
    } catch (err) {
      const e = apiError(err);
      setError(e.fields[field.name] || e.message);
    } finally {
      setBusy(false);
    }
  }
  return { draft, setDraft, error, busy, save };
}

export function CellEditor({ collection, field, record, label, expand, onSaved, onCancel }) {
  const state = useCellSave(collection, field, record, expand, onSaved);
  const errorId = useId();
  const describedBy = state.error ? errorId : undefined;
  const errorText = state.error && <div id={errorId} className="field-error" role="alert">{state.error}</div>;

  if (editsInDialog(field) || (field.type === "select" && isMultiple(field))) {
    return (
      <Modal open title={label} onClose={onCancel} footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={state.busy}>Cancel</button>
          <button type="button" className="btn btn-primary" onClick={state.save} disabled={state.busy} aria-busy={state.busy || undefined}>
            {state.busy && <Spinner />}Save
          </button>
        </>
      }>
        <div className="field">
          <FieldInput field={field} draft={state.draft} setDraft={state.setDraft} record={record} label={field.name} describedBy={describedBy} autoFocus />
          {errorText}
        </div>
      </Modal>
    );
  }

  return (
    <div
      className="cell-editor"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          onCancel();
        } else if (e.key === "Enter" && field.type !== "bool") {
          e.preventDefault();
          state.save();
        }
      }}
    >
      <FieldInput field={field} draft={state.draft} setDraft={state.setDraft} record={record} label={label} describedBy={describedBy} autoFocus compact />
      <button type="button" className="btn btn-primary btn-sm" onClick={state.save} disabled={state.busy} aria-label={`Save ${label}`}>
        {state.busy ? <Spinner /> : "Save"}
      </button>
      <button type="button" className="btn btn-secondary btn-sm" onClick={onCancel} aria-label={`Cancel editing ${label}`}>×</button>
      {errorText}
    </div>
  );
}
