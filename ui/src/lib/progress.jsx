// Progress of a long operation (backfill, backup, import): a bar when the share is known, a spinner otherwise.
export function Progress({ label, value, max = 100 }) {
  const known = typeof value === "number" && Number.isFinite(value);
  return (
    <div className="progress">
      <div className="progress-label">{label}</div>
      {known ? (
        <progress max={max} value={Math.min(value, max)} aria-label={label}>
          {Math.round((100 * value) / max)}%
        </progress>
      ) : (
        <progress aria-label={label} />
      )}
    </div>
  );
}
