// The draft's indexes as PocketBase's SQL strings, each with its build state (indexStates: building while the
// backfill job runs, ready, failed with the duplicate it found), and a builder for new ones.
import { useId, useState } from "react";
import { useFieldError } from "../../lib/errors.jsx";
import { Progress } from "../../lib/progress.jsx";

const NAME = /create\s+(?:unique\s+)?index\s+(?:if\s+not\s+exists\s+)?[`"[]?([\w]+)[`"\]]?/i;

export function indexName(sql) {
  return NAME.exec(sql || "")?.[1] || "";
}

export function IndexesEditor({ draft, setDraft, states, saved }) {
  const indexes = draft.indexes || [];
  const [columns, setColumns] = useState([]);
  const [unique, setUnique] = useState(false);
  const uniqueId = useId();
  const setIndexes = (next) => setDraft({ ...draft, indexes: next });
  const stateOf = (sql) => (states || []).find((s) => s.name === indexName(sql));

  function add() {
    if (!columns.length) return;
    const table = draft.name || "collection";
    const name = `idx_${table}_${columns.join("_")}`.slice(0, 60);
    const sql = `CREATE ${unique ? "UNIQUE " : ""}INDEX \`${name}\` ON \`${table}\` (${columns.map((c) => `\`${c}\``).join(", ")})`;
    setIndexes([...indexes, sql]);
    setColumns([]);
    setUnique(false);
  }

  const names = (draft.fields || []).filter((f) => f.name && f.type !== "password").map((f) => f.name);
  return (
    <section aria-labelledby="indexes-heading">
      <h2 id="indexes-heading">Indexes</h2>
      {indexes.length === 0 && <p className="muted">No indexes. Filters and sorts still work; an index makes them cheaper.</p>}
      <ul className="indexes-list">
        {indexes.map((sql, i) => (
          <IndexRow key={i} index={i} sql={sql} state={stateOf(sql)} isSaved={(saved || []).includes(sql)} onChange={(v) => setIndexes(indexes.map((x, j) => (j === i ? v : x)))} onRemove={() => setIndexes(indexes.filter((_, j) => j !== i))} />
        ))}
      </ul>
      <fieldset className="index-builder">
        <legend>New index</legend>
        <div className="checkbox-grid">
          {names.map((n) => (
            <label key={n} className="checkbox">
              <input type="checkbox" checked={columns.includes(n)} onChange={(e) => setColumns(e.target.checked ? [...columns, n] : columns.filter((c) => c !== n))} />
              {n}
            </label>
          ))}
        </div>
        <div className="field field-checkbox">
          <input id={uniqueId} type="checkbox" checked={unique} onChange={(e) => setUnique(e.target.checked)} />
          <label htmlFor={uniqueId}>Unique</label>
        </div>
        <button type="button" className="btn btn-secondary" onClick={add} disabled={!columns.length}>+ Add index</button>
      </fieldset>
    </section>
  );
}

function IndexRow({ index, sql, state, isSaved, onChange, onRemove }) {
  const id = useId();
  const error = useFieldError(`indexes.${index}`);
  const name = indexName(sql);
  return (
    <li className="index-row">
      <div className={`field ${error ? "field-invalid" : ""}`}>
        <label htmlFor={id}>Index {name || index + 1}</label>
        <div className="index-line">
          <input id={id} className="mono" value={sql} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />
          <IndexState state={state} isSaved={isSaved} />
          <button type="button" className="btn btn-secondary btn-sm" onClick={onRemove} aria-label={`Remove index ${name}`}>✕</button>
        </div>
        {error && <div className="field-error" id={`${id}-error`}>{error}</div>}
        {state?.state === "failed" && <div className="field-error">Failed: {state.error}</div>}
        {state?.state === "building" && <Progress label={`Backfilling ${name}: existing records are being indexed`} />}
      </div>
    </li>
  );
}

function IndexState({ state, isSaved }) {
  // indexStates lists only indexes that are not ready; a saved index without an entry is ready
  const label = state ? state.state : isSaved ? "ready" : "unsaved";
  return <span className={`badge badge-${label}`}>{label}</span>;
}
