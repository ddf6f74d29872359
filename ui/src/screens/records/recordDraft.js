// A record being edited: its values as the inputs hold them, pending uploads and removals, and the body to save.
import { dateToInput, inputToDate, isMultiple, isReadOnly, recordBody } from "./fieldTypes.js";

/** The input-side value of one field of a record (dates as datetime-local text, JSON as its text). */
export function inputValue(field, value) {
  if (field.type === "date") return dateToInput(value);
  if (field.type === "json") return value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
  if (field.type === "number") return value === null || value === undefined ? "" : String(value);
  if (field.type === "geoPoint") return value || { lon: 0, lat: 0 };
  if (isMultiple(field)) return Array.isArray(value) ? value : value ? [value] : [];
  if (field.type === "bool") return !!value;
  return value ?? "";
}

/** A draft of `record` (null: a new one) over the editable `fields`. */
export function newDraft(fields, record = null) {
  const values = {};
  for (const field of fields) {
    if (isReadOnly(field) || field.type === "file") continue;
    values[field.name] = inputValue(field, record ? record[field.name] : undefined);
  }
  return { values, files: {}, removed: {} };
}

/** The API value of one field from its input-side value; throws {field, message} for a JSON text that does not parse. */
export function apiValue(field, value) {
  if (field.type === "date") return inputToDate(value);
  if (field.type === "number") return value === "" || value === null ? null : Number(value);
  if (field.type === "json") {
    if (value === "" || value === null) return null;
    try {
      return JSON.parse(value);
    } catch {
      throw jsonError(field.name);
    }
  }
  return value;
}

/** An error in the shape apiError reads, so a bad JSON text shows next to its field as the API's errors do. */
function jsonError(name) {
  const err = new Error("Invalid JSON.");
  err.response = { status: 400, message: "Invalid JSON.", data: { [name]: { code: "validation_invalid_json", message: "Must be valid JSON." } } };
  return err;
}

/** The SDK body of a draft: only `changed` names when given (an inline edit sends its one field). */
export function draftBody(fields, draft, changed = null) {
  const values = {};
  for (const field of fields) {
    if (!(field.name in draft.values)) continue;
    if (changed && !changed.includes(field.name)) continue;
    values[field.name] = apiValue(field, draft.values[field.name]);
  }
  return recordBody(values, draft.files, draft.removed);
}

/** A record update or create through the SDK; `body` from draftBody. */
export function saveRecord(pb, collection, id, body, expand) {
  const options = expand ? { expand } : {};
  return id ? pb.collection(collection.id).update(id, body, options) : pb.collection(collection.id).create(body, options);
}
