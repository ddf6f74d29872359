// A data table: a scrolling wrapper, a caption for screen readers, column headers, and its loading and empty states.
import { Spinner } from "./forms.jsx";

/**
 * `columns`: header texts; a column given as {label, hidden: true} is named for screen readers only (an
 * actions column). the children are the rows of <tbody>; `count` how many; `loading` and `empty` (a message) show under the table
 * when there are no rows.
 */
export function DataTable({ caption, columns, count, loading, empty, children }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const label = typeof column === "string" ? column : column.label;
              return (
                <th scope="col" key={label}>
                  {typeof column === "object" && column.hidden ? <span className="visually-hidden">{label}</span> : label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {!count && loading && <Spinner label="Loading" />}
      {!count && !loading && empty && <p className="muted empty">{empty}</p>}
    </div>
  );
}
