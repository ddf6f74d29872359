// A relation field's input: the linked records as chips, and a picker dialog searching the related collection.
import { useEffect, useId, useState } from "react";
import { pb } from "../../lib/pb.js";
import { useCollections } from "../../lib/collections.jsx";
import { Modal } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { displayFieldNames, isMultiple, recordLabel } from "./fieldTypes.js";

const PICKER_PAGE = 20;

export function RelationInput({ field, label, value, set, record, describedBy }) {
  const { byIdOrName } = useCollections();
  const target = byIdOrName(field.collectionId);
  const multiple = isMultiple(field);
  const ids = multiple ? value || [] : value ? [value] : [];
  // labels of linked records: from the record's expand, then from what the picker chose
  const [known, setKnown] = useState(() => {
    const expanded = record?.expand?.[field.name];
    const list = Array.isArray(expanded) ? expanded : expanded ? [expanded] : [];
    return Object.fromEntries(list.map((r) => [r.id, r]));
  });
  const [open, setOpen] = useState(false);

  function choose(records) {
    setKnown((k) => ({ ...k, ...Object.fromEntries(records.map((r) => [r.id, r])) }));
    const chosen = records.map((r) => r.id);
    set(multiple ? chosen : chosen[0] || "");
    setOpen(false);
  }

  return (
    <div className="relation-input" aria-describedby={describedBy}>
      <ul className="chips" aria-label={`${label}: linked records`}>
        {ids.map((id) => (
          <li key={id} className="chip">
            {recordLabel(known[id], target) || id}
            <button type="button" className="btn btn-icon" aria-label={`Unlink ${recordLabel(known[id], target) || id}`}
              onClick={() => set(multiple ? ids.filter((x) => x !== id) : "")}>×</button>
          </li>
        ))}
      </ul>
      <button type="button" className="btn btn-secondary btn-sm" onClick={() => setOpen(true)} disabled={!target}>
        {ids.length ? "Change" : "Choose"}<span className="visually-hidden"> {label}</span>
      </button>
      {open && (
        <RelationPicker target={target} multiple={multiple} label={label} initial={ids.map((id) => known[id] || { id })}
          onChoose={choose} onClose={() => setOpen(false)} />
      )}
    </div>
  );
}

/** The picker dialog: search over the related collection's display fields, pick one (or several), confirm. */
function RelationPicker({ target, multiple, label, initial, onChoose, onClose }) {
  const searchId = useId();
  const [search, setSearch] = useState("");
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [picked, setPicked] = useState(initial);

  useEffect(() => {
    let stale = false;
    const needle = search.trim();
    const names = displayFieldNames(target);
    const filter = needle ? names.map((name) => pb.filter(`${name} ~ {:q}`, { q: needle })).join(" || ") : "";
    pb.collection(target.id)
      .getList(1, PICKER_PAGE, { filter, skipTotal: true })
      .then((r) => !stale && (setResult(r.items), setError(null)))
      .catch((err) => !stale && setError(apiError(err)));
    return () => {
      stale = true;
    };
  }, [search, target]);

  function toggle(rec, on) {
    if (!multiple) setPicked(on ? [rec] : []);
    else setPicked((p) => (on ? [...p, rec] : p.filter((x) => x.id !== rec.id)));
  }

  return (
    <Modal open title={`Choose ${label}`} onClose={onClose} footer={
      <>
        <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
        <button type="button" className="btn btn-primary" onClick={() => onChoose(picked)}>Use selected ({picked.length})</button>
      </>
    }>
      <div className="field">
        <label htmlFor={searchId}>Search {target.name}</label>
        <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoFocus />
      </div>
      <ErrorBanner error={error} />
      {!result && !error && <Spinner label="Loading records" />}
      {result && (
        <ul className="picker-list" aria-label={`${target.name} records`}>
          {result.map((rec) => {
            const on = picked.some((p) => p.id === rec.id);
            return (
              <li key={rec.id}>
                <label className="check">
                  <input type={multiple ? "checkbox" : "radio"} name="relation-pick" checked={on} onChange={(e) => toggle(rec, e.target.checked)} />
                  <span>{recordLabel(rec, target)}</span>
                  <span className="muted mono">{rec.id}</span>
                </label>
              </li>
            );
          })}
          {!result.length && <li className="muted">No records found.</li>}
        </ul>
      )}
    </Modal>
  );
}
