// The records grid: sortable, resizable columns, row selection, cells edited in place, and a new-record row.
import { useRef, useState } from "react";
import { CellEditor } from "./CellEditor.jsx";
import { CellValue } from "./CellValue.jsx";
import { NewRecordRow } from "./NewRecordRow.jsx";
import { isReadOnly, isViewCollection, recordLabel } from "./fieldTypes.js";

const MIN_WIDTH = 60;
const MAX_WIDTH = 1200;
const DEFAULT_WIDTH = 170;
const DEFAULT_WIDTHS = { id: 150, bool: 90, number: 110 };

function widthOf(widths, field) {
  return widths[field.name] || DEFAULT_WIDTHS[field.name] || DEFAULT_WIDTHS[field.type] || DEFAULT_WIDTH;
}
const KEY_STEP = 20;

/** `sort` is PocketBase's sort text; a header click sorts by that column, ascending, then descending, then not. */
function nextSort(sort, name) {
  if (sort === name) return `-${name}`;
  if (sort === `-${name}`) return "";
  return name;
}

function ariaSort(sort, name) {
  if (sort === name) return "ascending";
  if (sort === `-${name}`) return "descending";
  return undefined;
}

export function Grid({ collection, columns, widths, onWidth, sort, onSort, items, selected, onSelected, onOpen, onSaved, expand }) {
  const [editing, setEditing] = useState(null); // {id, field}
  const allSelected = items.length > 0 && items.every((r) => selected.has(r.id));
  const label = (record) => recordLabel(record, collection);
  const locked = isViewCollection(collection);

  function toggle(id, on) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelected(next);
  }

  return (
    <div className="grid-scroll">
      <table className="grid" aria-label={`${collection.name} records`}>
        <colgroup>
          <col className="grid-col-select" />
          {columns.map((f) => <col key={f.name} style={{ width: `${widthOf(widths, f)}px` }} />)}
          <col className="grid-col-open" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">
              <input type="checkbox" aria-label="Select all records on this page" checked={allSelected}
                onChange={(e) => onSelected(e.target.checked ? new Set(items.map((r) => r.id)) : new Set())} />
            </th>
            {columns.map((f) => (
              <th key={f.name} scope="col" aria-sort={ariaSort(sort, f.name)}>
                <div className="th-inner">
                  <button type="button" className="th-sort" onClick={() => onSort(nextSort(sort, f.name))}>
                    {f.name}
                    <span className="muted th-type">{f.type}</span>
                    <span aria-hidden="true">{sort === f.name ? " ▲" : sort === `-${f.name}` ? " ▼" : ""}</span>
                  </button>
                  <ResizeHandle name={f.name} width={widthOf(widths, f)} onWidth={onWidth} />
                </div>
              </th>
            ))}
            <th scope="col"><span className="visually-hidden">Open</span></th>
          </tr>
        </thead>
        <tbody>
          {items.map((record) => (
            <tr key={record.id} className={selected.has(record.id) ? "row-selected" : undefined}>
              <td>
                <input type="checkbox" aria-label={`Select ${label(record)}`} checked={selected.has(record.id)} onChange={(e) => toggle(record.id, e.target.checked)} />
              </td>
              {columns.map((f) => {
                const isEditing = editing?.id === record.id && editing.field === f.name;
                const cellLabel = `${f.name} of ${label(record)}`;
                return (
                  <td key={f.name} className={`cell cell-${f.type}`}>
                    {locked || isReadOnly(f) ? (
                      <span className="cell-readonly" title="Computed by the server"><CellValue field={f} record={record} /></span>
                    ) : isEditing ? (
                      <CellEditor collection={collection} field={f} record={record} label={cellLabel} expand={expand}
                        onSaved={(saved) => { setEditing(null); onSaved(saved); }} onCancel={() => setEditing(null)} />
                    ) : (
                      // the name starts with what the cell shows (WCAG 2.5.3), then says what a click does
                      <button type="button" className="cell-btn" onClick={() => setEditing({ id: record.id, field: f.name })}>
                        <CellValue field={f} record={record} />
                        <span className="visually-hidden">, edit {cellLabel}</span>
                      </button>
                    )}
                  </td>
                );
              })}
              <td>
                <button type="button" className="btn btn-secondary btn-sm" aria-label={`Open ${label(record)}`} onClick={() => onOpen(record)}>Open</button>
              </td>
            </tr>
          ))}
          {!locked && <NewRecordRow collection={collection} columns={columns} expand={expand} onCreated={onSaved} />}
        </tbody>
      </table>
    </div>
  );
}

/** A column's width handle: drag it, or focus it and use the arrow keys. */
function ResizeHandle({ name, width, onWidth }) {
  const start = useRef(null);
  const clamp = (w) => Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.round(w)));
  return (
    <button
      type="button"
      className="resize-handle"
      aria-label={`Resize column ${name} (${width}px): arrow keys`}
      onKeyDown={(e) => {
        if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
          e.preventDefault();
          onWidth(name, clamp(width + (e.key === "ArrowRight" ? KEY_STEP : -KEY_STEP)));
        }
      }}
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { x: e.clientX, width };
      }}
      onPointerMove={(e) => {
        if (start.current) onWidth(name, clamp(start.current.width + e.clientX - start.current.x), true);
      }}
      onPointerUp={(e) => {
        if (start.current) onWidth(name, clamp(start.current.width + e.clientX - start.current.x));
        start.current = null;
      }}
    />
  );
}
