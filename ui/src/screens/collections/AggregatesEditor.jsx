// The draft's maintained aggregates (the `aggregates` option: name, group-by terms, metrics), each with its build
// state from `aggregateStates` and the API's errors next to its inputs (docs/api-views.md#maintained-aggregates).
import { useEffect, useState } from "react";
import { useFieldError } from "../../lib/errors.jsx";
import { Field } from "../../lib/forms.jsx";

const MAX_AGGREGATES = 4;

/** "region, created:month" as the API's list of terms; the text keeps what is typed (a trailing comma too). */
function parseList(text) {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function AggregatesEditor({ draft, setDraft, states, saved }) {
  const aggregates = draft.aggregates || [];
  const error = useFieldError("aggregates");
  const setAggregates = (next) => setDraft({ ...draft, aggregates: next });
  const savedNames = new Set((saved || []).map((a) => JSON.stringify(a)));
  return (
    <section aria-labelledby="aggregates-heading">
      <h2 id="aggregates-heading">Maintained aggregates</h2>
      <p className="muted">
        Counts, sums and averages kept up to date by the change stream, so that a matching group-by or pivot reads
        its groups instead of every record. Group by select, relation or bool fields, <code>date:month</code> or{" "}
        <code>number:bucket(10)</code>; metrics <code>count()</code>, <code>sum(field)</code>, <code>avg(field)</code>.
      </p>
      {error && <div className="field-error">{error}</div>}
      <ul className="indexes-list">
        {aggregates.map((aggregate, i) => (
          <AggregateRow
            key={i}
            index={i}
            aggregate={aggregate}
            state={(states || []).find((s) => s.name === aggregate.name)}
            isSaved={savedNames.has(JSON.stringify(aggregate))}
            onChange={(v) => setAggregates(aggregates.map((x, j) => (j === i ? v : x)))}
            onRemove={() => setAggregates(aggregates.filter((_, j) => j !== i))}
          />
        ))}
      </ul>
      <button
        type="button"
        className="btn btn-secondary"
        disabled={aggregates.length >= MAX_AGGREGATES}
        onClick={() => setAggregates([...aggregates, { name: "", groupBy: [], metrics: ["count()"] }])}
      >
        + Add aggregate
      </button>
    </section>
  );
}

function AggregateRow({ index, aggregate, state, isSaved, onChange, onRemove }) {
  const label = aggregate.name || `${index + 1}`;
  // aggregateStates lists only aggregates being built; a saved one without an entry is ready
  const status = state ? state.state : isSaved ? "ready" : "unsaved";
  return (
    <li className="index-row aggregate-row">
      <fieldset className="index-builder">
        <legend>
          Aggregate {label} <span className={`badge badge-${status}`}>{status}</span>
        </legend>
        <TextInput name={`aggregates.${index}.name`} label="Name" value={aggregate.name} onChange={(name) => onChange({ ...aggregate, name })} />
        <ListInput name={`aggregates.${index}.groupBy`} label="Group by" help="Comma-separated terms, at most 3." list={aggregate.groupBy || []} onChange={(groupBy) => onChange({ ...aggregate, groupBy })} />
        <ListInput name={`aggregates.${index}.metrics`} label="Metrics" help="Comma-separated, 1 to 8." list={aggregate.metrics || []} onChange={(metrics) => onChange({ ...aggregate, metrics })} />
        <div>
          <button type="button" className="btn btn-secondary btn-sm" onClick={onRemove}>
            Remove aggregate {label}
          </button>
        </div>
      </fieldset>
    </li>
  );
}

/** A labelled text input showing the API's error at `name` (Field's markup, bound to a value of the row). */
function TextInput({ name, label, value, onChange, help }) {
  return (
    <Field name={name} label={label} help={help}>
      {(props) => <input {...props} className="mono" value={value ?? ""} onChange={(e) => onChange(e.target.value)} autoComplete="off" spellCheck={false} />}
    </Field>
  );
}

function ListInput({ list, onChange, ...rest }) {
  const [text, setText] = useState(list.join(", "));
  const joined = list.join(",");
  // a draft replaced from outside (a save's answer) shows its own list; typing keeps the text as typed
  useEffect(() => {
    setText((current) => (parseList(current).join(",") === joined ? current : joined.split(",").join(", ")));
  }, [joined]);
  return (
    <TextInput
      {...rest}
      value={text}
      onChange={(value) => {
        setText(value);
        onChange(parseList(value));
      }}
    />
  );
}
