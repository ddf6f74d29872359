// The grid's filter bar: a filter in PocketBase's language, applied on Enter; the API's 400 shows under it.
import { useEffect, useState } from "react";

export function FilterBar({ collection, value, onApply }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <form className="filter-bar" role="search" aria-label="Filter records" onSubmit={(e) => { e.preventDefault(); onApply(text.trim()); }}>
      <label htmlFor={`filter-${collection.id}`} className="visually-hidden">Filter</label>
      <input id={`filter-${collection.id}`} className="mono" type="search" value={text} placeholder={`Filter, e.g. created > "2026-01-01" && title ~ "news"`}
        onChange={(e) => setText(e.target.value)} spellCheck={false} autoComplete="off" />
      <button type="submit" className="btn btn-secondary">Apply filter</button>
      {value && <button type="button" className="btn btn-link" onClick={() => { setText(""); onApply(""); }}>Clear</button>}
    </form>
  );
}
