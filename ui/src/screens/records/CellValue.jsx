// How a field's value looks in a grid cell, a card or the side panel: linked records by name, files as thumbnails.
import { useCollections } from "../../lib/collections.jsx";
import { FileThumb } from "./FileThumb.jsx";
import { recordLabel, valueText } from "./fieldTypes.js";

const MAX_TEXT = 120;

/** Text from an editor field's HTML, without parsing it as markup (the value is the user's data). */
function plainText(html) {
  return String(html || "").replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
}

function shorten(text) {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/** `linked`: files and URLs as links (the side panel); a grid cell is itself a button, and holds none. */
export function CellValue({ field, record, linked = false }) {
  const { byIdOrName } = useCollections();
  const value = record[field.name];
  switch (field.type) {
    case "bool":
      return <span className={value ? "bool-yes" : "muted"}>{value ? "Yes" : "No"}</span>;
    case "relation": {
      const expanded = record.expand?.[field.name];
      const linked = Array.isArray(expanded) ? expanded : expanded ? [expanded] : [];
      const ids = [value].flat().filter(Boolean);
      const target = byIdOrName(field.collectionId);
      return (
        <span className="chips">
          {ids.map((id) => {
            const rec = linked.find((r) => r.id === id);
            return <span key={id} className="chip">{rec ? recordLabel(rec, target) : id}</span>;
          })}
        </span>
      );
    }
    case "file":
      return (
        <span className="cell-files">
          {[value].flat().filter(Boolean).map((name) => <FileThumb key={name} record={record} field={field} name={name} linked={linked} />)}
        </span>
      );
    case "select":
      return (
        <span className="chips">
          {[value].flat().filter(Boolean).map((v) => <span key={v} className="chip chip-select">{v}</span>)}
        </span>
      );
    case "editor":
      return <span>{shorten(plainText(value))}</span>;
    case "json":
      return <code>{shorten(valueText(value))}</code>;
    case "url":
      // only http(s) becomes a link: a javascript: or data: URL in the data must never run in the dashboard
      return linked && /^https?:\/\//i.test(value || "") ? <a href={value} target="_blank" rel="noreferrer noopener">{shorten(value)}</a> : <span>{shorten(valueText(value))}</span>;
    default:
      return <span>{shorten(valueText(value))}</span>;
  }
}
