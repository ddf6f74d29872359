// The options of one field, by its type (fieldTypes.js): inputs bound to the draft field, each with its save error.
import { useId, useState } from "react";
import { useFieldError } from "../../lib/errors.jsx";
import { COMMON_FLAGS, TYPE_BY_NAME } from "./fieldTypes.js";

function OptionControl({ option, field, onChange, errorName, collections, draft }) {
  const id = useId();
  const error = useFieldError(errorName);
  const value = field[option.name];
  const set = (v) => onChange({ ...field, [option.name]: v });
  const errorId = `${id}-error`;
  const common = { id, "aria-invalid": error ? true : undefined, "aria-describedby": error ? errorId : undefined };
  let control;
  switch (option.kind) {
    case "number":
      control = (
        <input type="number" {...common} value={value ?? ""} onChange={(e) => set(e.target.value === "" ? null : Number(e.target.value))} />
      );
      break;
    case "bool":
      control = <input type="checkbox" {...common} checked={!!value} onChange={(e) => set(e.target.checked)} />;
      break;
    case "list":
      control = <ListInput common={common} value={value} onChange={set} placeholder={option.placeholder} />;
      break;
    case "choice":
      control = (
        <select {...common} value={value ?? ""} onChange={(e) => set(e.target.value)}>
          {option.choices.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      );
      break;
    case "collection":
      control = (
        <select {...common} value={value ?? ""} onChange={(e) => set(e.target.value)}>
          <option value="">Select a collection</option>
          {collections.filter((c) => c.type !== "view").map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      );
      break;
    case "relation":
      control = (
        <select {...common} value={value ?? ""} onChange={(e) => set(e.target.value)}>
          <option value="">Select a relation</option>
          {relationChoices(draft, collections).map((r) => <option key={r.name} value={r.name}>{r.label}</option>)}
        </select>
      );
      break;
    case "target": {
      const target = relatedCollection(field.relation, draft, collections);
      control = (
        <select {...common} value={value ?? ""} onChange={(e) => set(e.target.value)} disabled={!target}>
          <option value="">{target ? "Select a field" : "Pick the relation first"}</option>
          {(target?.fields || []).filter((f) => f.type !== "password").map((f) => <option key={f.name} value={f.name}>{f.name} ({f.type})</option>)}
        </select>
      );
      break;
    }
    case "json":
      control = <JsonInput common={common} value={value} onChange={set} placeholder={option.placeholder} />;
      break;
    case "formula":
      control = <textarea {...common} className="mono" rows={2} spellCheck={false} value={value ?? ""} placeholder={option.placeholder} onChange={(e) => set(e.target.value)} />;
      break;
    default:
      control = <input type="text" {...common} value={value ?? ""} placeholder={option.placeholder} onChange={(e) => set(e.target.value)} />;
  }
  return (
    <div className={`field ${option.kind === "bool" ? "field-checkbox" : ""} ${error ? "field-invalid" : ""}`}>
      {option.kind === "bool" ? (
        <>{control}<label htmlFor={id}>{option.label}</label></>
      ) : (
        <><label htmlFor={id}>{option.label}{option.required ? <span aria-hidden="true"> *</span> : null}</label>{control}</>
      )}
      {error && <div className="field-error" id={errorId}>{error}</div>}
    </div>
  );
}

/** Comma-separated strings, kept as typed until blur so a trailing comma is not lost mid-typing. */
function ListInput({ common, value, onChange, placeholder }) {
  const [text, setText] = useState((value || []).join(", "));
  return (
    <input
      type="text"
      {...common}
      value={text}
      placeholder={placeholder}
      onChange={(e) => {
        setText(e.target.value);
        onChange(e.target.value.split(",").map((s) => s.trim()).filter(Boolean));
      }}
    />
  );
}

/** An object edited as JSON text; an invalid text is kept (and flagged) rather than dropped. */
function JsonInput({ common, value, onChange, placeholder }) {
  const [text, setText] = useState(value ? JSON.stringify(value) : "");
  const [bad, setBad] = useState(false);
  return (
    <>
      <input
        type="text"
        {...common}
        className="mono"
        value={text}
        placeholder={placeholder}
        aria-invalid={bad || common["aria-invalid"] || undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setBad(false);
            onChange(null);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <div className="field-error">Not valid JSON yet.</div>}
    </>
  );
}

/** The relations a linked field can go through: this collection's relation fields and the back-relations
 * `<collection>_via_<field>` of other collections' relation fields pointing here. */
export function relationChoices(draft, collections) {
  const own = (draft.fields || []).filter((f) => f.type === "relation" && f.name).map((f) => ({ name: f.name, label: `${f.name} (forward)` }));
  const back = [];
  for (const c of collections) {
    for (const f of c.fields || []) {
      if (f.type === "relation" && draft.id && f.collectionId === draft.id) {
        back.push({ name: `${c.name}_via_${f.name}`, label: `${c.name}_via_${f.name} (back-relation)` });
      }
    }
  }
  return [...own, ...back];
}

export function relatedCollection(relation, draft, collections) {
  if (!relation) return null;
  const own = (draft.fields || []).find((f) => f.type === "relation" && f.name === relation);
  if (own) return collections.find((c) => c.id === own.collectionId) || null;
  const match = /^(.+)_via_(.+)$/.exec(relation);
  return match ? collections.find((c) => c.name === match[1]) || null : null;
}

export function FieldOptions({ field, index, onChange, collections, draft }) {
  const type = TYPE_BY_NAME[field.type];
  const prefix = `fields.${index}`;
  return (
    <div className="field-options">
      {(type?.options || []).map((option) => (
        <OptionControl key={option.name} option={option} field={field} onChange={onChange} errorName={`${prefix}.${option.name}`} collections={collections} draft={draft} />
      ))}
      <div className="field-flags">
        {COMMON_FLAGS.filter((f) => !(type?.computed && f.name === "required")).map((flag) => (
          <OptionControl key={flag.name} option={{ ...flag, kind: "bool" }} field={field} onChange={onChange} errorName={`${prefix}.${flag.name}`} collections={collections} draft={draft} />
        ))}
      </div>
    </div>
  );
}
