// The input of one record field, by its type: used by the grid's cell editor, its new-record row and the side panel.
import { useId } from "react";
import { isMultiple } from "./fieldTypes.js";
import { FileInput } from "./FileInput.jsx";
import { RelationInput } from "./RelationInput.jsx";

/**
 * `draft` is {values, files, removed} (recordDraft.js) and `setDraft` its updater; `record` the saved record (for
 * its files and expanded relations), `label` the accessible name, `error` the field's API error (shown by the
 * caller, tied here with aria-describedby through `describedBy`).
 */
export function FieldInput({ field, draft, setDraft, record, label, describedBy, autoFocus, compact = false }) {
  const id = useId();
  const value = draft.values[field.name];
  const set = (v) => setDraft((d) => ({ ...d, values: { ...d.values, [field.name]: v } }));
  const common = { id, "aria-label": label, "aria-describedby": describedBy, autoFocus };

  switch (field.type) {
    case "bool":
      return <input type="checkbox" {...common} checked={!!value} onChange={(e) => set(e.target.checked)} />;
    case "number":
      return <input type="number" step="any" {...common} value={value} onChange={(e) => set(e.target.value)} />;
    case "email":
      return <input type="email" {...common} value={value} onChange={(e) => set(e.target.value)} />;
    case "url":
      return <input type="url" {...common} value={value} onChange={(e) => set(e.target.value)} />;
    case "date":
      return <input type="datetime-local" {...common} value={value} onChange={(e) => set(e.target.value)} />;
    case "editor":
      return <textarea {...common} value={value} rows={compact ? 2 : 6} onChange={(e) => set(e.target.value)} />;
    case "json":
      return <JsonInput common={common} value={value} set={set} compact={compact} />;
    case "select":
      return isMultiple(field) ? (
        <MultiSelect field={field} label={label} value={value} set={set} describedBy={describedBy} />
      ) : (
        <select {...common} value={value} onChange={(e) => set(e.target.value)}>
          <option value="">—</option>
          {(field.values || []).map((option) => (
            <option key={option} value={option}>{option}</option>
          ))}
        </select>
      );
    case "relation":
      return <RelationInput field={field} label={label} value={value} set={set} record={record} describedBy={describedBy} />;
    case "file":
      return <FileInput field={field} label={label} draft={draft} setDraft={setDraft} record={record} describedBy={describedBy} />;
    case "geoPoint":
      return (
        <span className="geo-input">
          <input type="number" step="any" aria-label={`${label} longitude`} value={value?.lon ?? 0} onChange={(e) => set({ ...value, lon: Number(e.target.value) })} />
          <input type="number" step="any" aria-label={`${label} latitude`} value={value?.lat ?? 0} onChange={(e) => set({ ...value, lat: Number(e.target.value) })} />
        </span>
      );
    default:
      return <input type="text" {...common} value={value ?? ""} onChange={(e) => set(e.target.value)} />;
  }
}

/** A JSON text editor that says as you type whether the text parses (the save refuses one that does not). */
function JsonInput({ common, value, set, compact }) {
  let valid = true;
  if (value && value.trim()) {
    try {
      JSON.parse(value);
    } catch {
      valid = false;
    }
  }
  const statusId = `${common.id}-json`;
  return (
    <span className="json-input">
      <textarea
        {...common}
        aria-describedby={[common["aria-describedby"], statusId].filter(Boolean).join(" ")}
        aria-invalid={valid ? undefined : true}
        className="mono"
        spellCheck={false}
        rows={compact ? 2 : 8}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
      <span id={statusId} className={valid ? "muted json-status" : "field-error json-status"}>
        {valid ? "Valid JSON" : "Not valid JSON yet"}
      </span>
    </span>
  );
}

function MultiSelect({ field, label, value, set, describedBy }) {
  const chosen = Array.isArray(value) ? value : [];
  function toggle(option, on) {
    set(on ? [...chosen, option] : chosen.filter((v) => v !== option));
  }
  return (
    <fieldset className="multi-select" aria-describedby={describedBy}>
      <legend className="visually-hidden">{label}</legend>
      {(field.values || []).map((option) => (
        <label key={option} className="check">
          <input type="checkbox" checked={chosen.includes(option)} onChange={(e) => toggle(option, e.target.checked)} />
          {option}
        </label>
      ))}
    </fieldset>
  );
}
