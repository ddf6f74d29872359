// Export the collections' schema as JSON, and import one (PUT /api/collections/import) after reviewing its changes.
import { useId, useMemo, useState } from "react";
import { pb } from "../../lib/pb.js";
import { useCollections } from "../../lib/collections.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { ConfirmDialog } from "../../lib/dialog.jsx";
import { Progress } from "../../lib/progress.jsx";
import { useToasts } from "../../lib/toasts.jsx";

/** A collection as an export carries it: no timestamps, no runtime states, no OAuth2 provider secrets. */
export function exportable(collection) {
  const copy = structuredClone(collection);
  for (const key of ["created", "updated", "indexStates", "computedStates"]) delete copy[key];
  if (copy.oauth2) delete copy.oauth2.providers;
  return copy;
}

export function ExportCollections() {
  const { list } = useCollections();
  const [selected, setSelected] = useState(null); // null: all
  const chosen = list.filter((c) => selected === null || selected.includes(c.id));
  const json = JSON.stringify(chosen.map(exportable), null, 2);

  function download() {
    const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "lb_schema.json";
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  const ids = selected ?? list.map((c) => c.id);
  return (
    <>
      <h1>Export collections</h1>
      <div className="export-panel">
        <fieldset className="export-list">
          <legend>Collections to export</legend>
          <label className="checkbox">
            <input type="checkbox" checked={ids.length === list.length} onChange={(e) => setSelected(e.target.checked ? null : [])} />
            Select all
          </label>
          {list.map((c) => (
            <label key={c.id} className="checkbox">
              <input type="checkbox" checked={ids.includes(c.id)} onChange={(e) => setSelected(e.target.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id))} />
              {c.name}
            </label>
          ))}
        </fieldset>
        <pre className="code export-preview" tabIndex={0} aria-label="Exported JSON">{json}</pre>
      </div>
      <button type="button" className="btn btn-primary" onClick={download} disabled={!chosen.length}>
        Download as JSON
      </button>
    </>
  );
}

/** What importing `incoming` changes: [{kind: added|changed|deleted, name}]. */
export function importChanges(current, incoming, deleteMissing) {
  const changes = [];
  for (const c of incoming) {
    const old = current.find((o) => o.id === c.id) || current.find((o) => o.name === c.name);
    if (!old) changes.push({ kind: "added", name: c.name });
    else if (JSON.stringify(exportable(old)) !== JSON.stringify({ ...exportable(old), ...c })) changes.push({ kind: "changed", name: c.name });
  }
  if (deleteMissing) {
    for (const o of current) {
      if (!o.system && !incoming.some((c) => c.id === o.id || c.name === o.name)) changes.push({ kind: "deleted", name: o.name });
    }
  }
  return changes;
}

export function ImportCollections() {
  const { list, reload } = useCollections();
  const toasts = useToasts();
  const [text, setText] = useState("");
  const [deleteMissing, setDeleteMissing] = useState(false);
  const [review, setReview] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const textId = useId();
  const fileId = useId();
  const deleteId = useId();

  const parsed = useMemo(() => {
    if (!text.trim()) return { collections: null, problem: "" };
    try {
      const value = JSON.parse(text);
      if (!Array.isArray(value) || !value.every((c) => c && typeof c === "object" && c.name)) {
        return { collections: null, problem: "Expected a JSON array of collections, each with a name." };
      }
      return { collections: value, problem: "" };
    } catch (err) {
      return { collections: null, problem: `Invalid JSON: ${err.message}` };
    }
  }, [text]);
  const changes = parsed.collections ? importChanges(list, parsed.collections, deleteMissing) : [];
  const deletes = changes.filter((c) => c.kind === "deleted");

  function load(file) {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => setText(String(reader.result || ""));
    reader.readAsText(file);
  }

  async function run() {
    setBusy(true);
    setError(null);
    try {
      await pb.collections.import(parsed.collections, deleteMissing);
      await reload();
      toasts.success(`Imported ${parsed.collections.length} collection(s).`);
      setText("");
      setReview(false);
    } catch (err) {
      setError(apiError(err));
      setReview(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Import collections</h1>
      <ErrorBanner error={error} />
      <div className="field">
        <label htmlFor={textId}>Collections JSON</label>
        <textarea id={textId} className="mono import-text" rows={12} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={parsed.problem ? true : undefined} aria-describedby={`${textId}-help`} />
        <div id={`${textId}-help`} className={parsed.problem ? "field-error" : "field-help"}>
          {parsed.problem || "Paste an export, or load a file."}
        </div>
      </div>
      <div className="import-controls">
        <label htmlFor={fileId} className="btn btn-secondary">Load from JSON file</label>
        <input id={fileId} type="file" accept=".json,application/json" className="visually-hidden" onChange={(e) => load(e.target.files?.[0])} />
        <span className="field field-checkbox">
          <input id={deleteId} type="checkbox" checked={deleteMissing} onChange={(e) => setDeleteMissing(e.target.checked)} />
          <label htmlFor={deleteId}>Delete collections missing from the import</label>
        </span>
      </div>
      {parsed.collections && (
        <section aria-labelledby="changes-heading">
          <h2 id="changes-heading">Detected changes</h2>
          {changes.length === 0 ? (
            <p>The collections are already up to date.</p>
          ) : (
            <ul className="changes-list">
              {changes.map((c) => (
                <li key={c.kind + c.name}>
                  <span className={`badge badge-${c.kind}`}>{c.kind}</span> <strong>{c.name}</strong>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {busy && <Progress label="Importing collections…" />}
      <button type="button" className="btn btn-primary" disabled={!parsed.collections || !changes.length || busy} onClick={() => setReview(true)}>
        Review and import
      </button>
      <ConfirmDialog
        open={review}
        title="Import collections?"
        message={`${changes.length} change(s): ${changes.map((c) => `${c.kind} ${c.name}`).join(", ")}.${deletes.length ? " Deleted collections lose all their records." : ""}`}
        typed={deletes.length ? "delete" : undefined}
        danger={deletes.length > 0}
        confirmLabel="Import"
        onConfirm={run}
        onCancel={() => setReview(false)}
      />
    </>
  );
}
