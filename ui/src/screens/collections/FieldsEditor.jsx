// The fields of the draft: add by type, rename (the id stays, so the data stays), options, remove with undo, and
// reorder by dragging the handle or with the Move up / Move down buttons (the keyboard way).
import { useId, useState } from "react";
import { useFieldError, useFieldErrorsUnder } from "../../lib/errors.jsx";
import { FIELD_TYPES, TYPE_BY_NAME, newField } from "./fieldTypes.js";
import { FieldOptions } from "./FieldOptions.jsx";

const DRAG_TYPE = "application/x-lambdabase-field-index";

export function FieldsEditor({ draft, setDraft, collections, removed, setRemoved }) {
  const [addType, setAddType] = useState("text");
  const [open, setOpen] = useState(null); // the field (by its key) whose options are shown
  const [dragFrom, setDragFrom] = useState(null);
  const [announce, setAnnounce] = useState("");
  const fields = draft.fields || [];
  const addId = useId();

  const setFields = (next) => setDraft({ ...draft, fields: next });
  // a new field has no id until saved: it carries a client-only `_key` (stripped on save) so reordering keeps rows
  const keyOf = (f) => f.id || f._key;

  function move(from, to) {
    if (to < 0 || to >= fields.length || from === to) return;
    const next = [...fields];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    setFields(next);
    setAnnounce(`${item.name} moved to position ${to + 1} of ${next.length}.`);
  }

  function remove(i) {
    const field = fields[i];
    setFields(fields.filter((_, j) => j !== i));
    if (field.id) setRemoved([...removed, field]);
  }

  function restore(field) {
    setRemoved(removed.filter((f) => f !== field));
    setFields([...fields, field]);
  }

  function add() {
    const field = { ...newField(addType, fields.map((f) => f.name)), _key: `new-${Date.now()}-${fields.length}` };
    setFields([...fields, field]);
  }

  return (
    <section aria-labelledby="fields-heading">
      <h2 id="fields-heading">Fields</h2>
      <ol className="fields-list">
        {fields.map((field, i) => (
          <FieldRow
            key={keyOf(field)}
            field={field}
            index={i}
            count={fields.length}
            open={open === keyOf(field)}
            onToggle={() => setOpen(open === keyOf(field) ? null : keyOf(field))}
            onChange={(next) => setFields(fields.map((f, j) => (j === i ? next : f)))}
            onRemove={() => remove(i)}
            onMove={(to) => move(i, to)}
            dragging={dragFrom === i}
            onDragStart={() => setDragFrom(i)}
            onDragEnd={() => setDragFrom(null)}
            onDrop={(from) => {
              if (from !== null) move(from, i);
              setDragFrom(null);
            }}
            collections={collections}
            draft={draft}
          />
        ))}
      </ol>
      <div className="visually-hidden" aria-live="polite">{announce}</div>
      {removed.length > 0 && (
        <div className="alert alert-info removed-fields">
          <p>Removed on save (their data is deleted):</p>
          <ul>
            {removed.map((f) => (
              <li key={f.id}>
                <code>{f.name}</code>{" "}
                <button type="button" className="btn btn-link btn-sm" onClick={() => restore(f)}>Restore {f.name}</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="add-field">
        <label htmlFor={addId}>New field type</label>
        <select id={addId} value={addType} onChange={(e) => setAddType(e.target.value)}>
          {FIELD_TYPES.map((t) => <option key={t.type} value={t.type}>{t.label}{t.computed ? " (computed)" : ""}</option>)}
        </select>
        <button type="button" className="btn btn-secondary" onClick={add}>+ Add field</button>
      </div>
    </section>
  );
}

function FieldRow({ field, index, count, open, onToggle, onChange, onRemove, onMove, dragging, onDragStart, onDragEnd, onDrop, collections, draft }) {
  const nameId = useId();
  const nameError = useFieldError(`fields.${index}.name`);
  const otherErrors = useFieldErrorsUnder(`fields.${index}`).filter(([n]) => n !== `fields.${index}.name`);
  const type = TYPE_BY_NAME[field.type];
  const system = !!field.system;
  return (
    <li
      className={`field-row ${dragging ? "dragging" : ""} ${otherErrors.length ? "has-errors" : ""}`}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        // the dragged row's index travels with the drag itself, not in state a re-render could have replaced
        const from = Number.parseInt(e.dataTransfer.getData(DRAG_TYPE), 10);
        onDrop(Number.isNaN(from) ? null : from);
      }}
    >
      <div className="field-row-head">
        <span
          className="drag-handle"
          draggable
          onDragStart={(e) => {
            e.dataTransfer.effectAllowed = "move";
            e.dataTransfer.setData(DRAG_TYPE, String(index));
            e.dataTransfer.setData("text/plain", field.name);
            onDragStart();
          }}
          onDragEnd={onDragEnd}
          title="Drag to reorder"
          aria-hidden="true"
        >
          ⠿
        </span>
        <span className={`type-badge ${type?.computed ? "computed" : ""}`}>{type?.label || field.type}</span>
        <div className={`field field-inline ${nameError ? "field-invalid" : ""}`}>
          <label htmlFor={nameId} className="visually-hidden">Field {index + 1} name</label>
          <input
            id={nameId}
            value={field.name}
            disabled={system && field.name === "id"}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? `${nameId}-error` : undefined}
            onChange={(e) => onChange({ ...field, name: e.target.value.replace(/\s/g, "_") })}
          />
          {nameError && <div className="field-error" id={`${nameId}-error`}>{nameError}</div>}
        </div>
        {system && <span className="muted">system</span>}
        <div className="field-row-actions">
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => onMove(index - 1)} disabled={index === 0} aria-label={`Move ${field.name} up`}>↑</button>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => onMove(index + 1)} disabled={index === count - 1} aria-label={`Move ${field.name} down`}>↓</button>
          <button type="button" className="btn btn-secondary btn-sm" aria-expanded={open} onClick={onToggle}>
            {open ? "Hide options" : "Options"}
            <span className="visually-hidden"> of {field.name}</span>
          </button>
          {!system && (
            <button type="button" className="btn btn-secondary btn-sm" onClick={onRemove} aria-label={`Remove ${field.name}`}>✕</button>
          )}
        </div>
      </div>
      {otherErrors.length > 0 && !open && (
        <div className="field-error">{otherErrors.map(([n, m]) => `${n.split(".").pop()}: ${m}`).join(" ")}</div>
      )}
      {open && <FieldOptions field={field} index={index} onChange={onChange} collections={collections} draft={draft} />}
    </li>
  );
}
