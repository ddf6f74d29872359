// The grid's last row: a new record typed in place (files included), created on Add; a failed create keeps it.
import { useState } from "react";
import { pb } from "../../lib/pb.js";
import { apiError } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { FieldInput } from "./FieldInput.jsx";
import { isReadOnly } from "./fieldTypes.js";
import { draftBody, newDraft, saveRecord } from "./recordDraft.js";

export function NewRecordRow({ collection, columns, expand, onCreated }) {
  const editable = columns.filter((f) => !isReadOnly(f));
  const [draft, setDraft] = useState(() => newDraft(editable));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);

  async function add() {
    setBusy(true);
    setError(null);
    try {
      const created = await saveRecord(pb, collection, null, draftBody(editable, draft), expand);
      setDraft(newDraft(editable));
      setGeneration((g) => g + 1); // fresh inputs (a file input cannot be cleared otherwise)
      onCreated(created);
    } catch (err) {
      setError(apiError(err));
    } finally {
      setBusy(false);
    }
  }

  const colSpan = columns.length + 2;
  return (
    <>
      <tr className="new-row" key={generation} onKeyDown={(e) => {
        if (e.key === "Enter" && e.target.tagName === "INPUT" && e.target.type !== "file" && e.target.type !== "checkbox") {
          e.preventDefault();
          add();
        }
      }}>
        <td><span className="visually-hidden">New record</span><span aria-hidden="true">+</span></td>
        {columns.map((f) => {
          const fieldError = error?.fields[f.name];
          const errorId = `new-${collection.id}-${f.name}-error`;
          return (
            <td key={f.name} className={`cell cell-${f.type}`}>
              {isReadOnly(f) ? (
                <span className="muted">auto</span>
              ) : (
                <>
                  <FieldInput field={f} draft={draft} setDraft={setDraft} label={`New record ${f.name}`} describedBy={fieldError ? errorId : undefined} compact />
                  {fieldError && <div id={errorId} className="field-error">{fieldError}</div>}
                </>
              )}
            </td>
          );
        })}
        <td>
          <button type="button" className="btn btn-primary btn-sm" onClick={add} disabled={busy} aria-busy={busy || undefined}>
            {busy && <Spinner />}Add
          </button>
        </td>
      </tr>
      {error && (
        <tr>
          <td colSpan={colSpan}>
            <div className="alert alert-danger" role="alert">{error.message}</div>
          </td>
        </tr>
      )}
    </>
  );
}
