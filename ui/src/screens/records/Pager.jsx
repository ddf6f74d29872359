// Paging of a list answer ({page, totalPages, totalItems}): previous and next, and where the user is.
import { Spinner } from "../../lib/forms.jsx";

export function Pager({ data, loading, onPage }) {
  const { page, totalPages, totalItems } = data;
  const known = totalPages >= 0;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="btn btn-secondary btn-sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>Previous page</button>
      <span aria-live="polite">
        Page {page}{known ? ` of ${Math.max(totalPages, 1)}` : ""}{totalItems >= 0 ? `, ${totalItems} record${totalItems === 1 ? "" : "s"}` : ""}
      </span>
      <button type="button" className="btn btn-secondary btn-sm" disabled={known ? page >= totalPages : !data.items?.length} onClick={() => onPage(page + 1)}>Next page</button>
      {loading && <Spinner label="Loading" />}
    </nav>
  );
}
