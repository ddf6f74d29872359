// Which columns the grid shows: a disclosure with a checkbox per field, in the collection's order.
export function ColumnsMenu({ all, shown, onChange }) {
  const names = new Set(shown.map((f) => f.name));
  function toggle(name, on) {
    const next = all.filter((f) => (f.name === name ? on : names.has(f.name))).map((f) => f.name);
    if (next.length) onChange(next);
  }
  return (
    <details className="columns-menu">
      <summary className="btn btn-secondary">Columns ({shown.length}/{all.length})</summary>
      <fieldset className="columns-menu-list">
        <legend className="visually-hidden">Shown columns</legend>
        {all.map((f) => (
          <label key={f.name} className="check">
            <input type="checkbox" checked={names.has(f.name)} disabled={names.has(f.name) && names.size === 1}
              onChange={(e) => toggle(f.name, e.target.checked)} />
            {f.name}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
