// What the records screens need to know of a field type: shown or not, editable or not, and how its value looks.

// Values the server computes (Lambdabase's computed fields, PocketBase's autodate): shown, never edited.
const COMPUTED_TYPES = new Set(["formula", "lookup", "rollup", "count", "autodate"]);
// Edited in a dialog rather than in the cell: they need more room than a grid cell gives.
const DIALOG_TYPES = new Set(["relation", "file", "json", "editor", "geoPoint"]);

/** The fields a grid may show: every non-hidden field but passwords (PocketBase never returns them). */
export function gridFields(collection) {
  return (collection?.fields || []).filter((f) => !f.hidden && f.type !== "password");
}

export function isReadOnly(field) {
  return COMPUTED_TYPES.has(field.type) || field.name === "id" || (field.system && field.name !== "email" && field.name !== "verified" && field.name !== "emailVisibility");
}

/** A view collection's records are a query's rows: shown, never written. */
export function isViewCollection(collection) {
  return collection?.type === "view";
}

export function editsInDialog(field) {
  return DIALOG_TYPES.has(field.type);
}

export function isMultiple(field) {
  return (field.type === "select" || field.type === "relation" || field.type === "file") && (field.maxSelect || 1) > 1;
}

/** The fields that name a record for people: the presentable ones, else a usual name field, else the id. */
export function displayFieldNames(collection) {
  const fields = collection?.fields || [];
  const presentable = fields.filter((f) => f.presentable).map((f) => f.name);
  if (presentable.length) return presentable;
  const usual = fields.find((f) => ["name", "title", "label", "email", "username"].includes(f.name));
  return usual ? [usual.name] : ["id"];
}

/** A record's name for people (its display fields joined), for relation chips, cards and panel titles. */
export function recordLabel(record, collection) {
  if (!record) return "";
  const parts = displayFieldNames(collection)
    .map((name) => record[name])
    .filter((v) => v !== undefined && v !== null && v !== "");
  return parts.length ? parts.map(String).join(" · ") : record.id;
}

/** The fields a card shows under its title: visible ones, not the id nor those the title already names. */
export function cardFields(collection, visible, skip, limit) {
  const named = new Set([...displayFieldNames(collection), "id", ...skip]);
  return gridFields(collection).filter((f) => !named.has(f.name) && (!visible || visible.includes(f.name))).slice(0, limit);
}

/** The list's `expand` for every relation field shown, so the grid can name linked records. */
export function expandFor(fields) {
  return fields.filter((f) => f.type === "relation").map((f) => f.name).join(",");
}

/** A value as a short text (the grid cell and the history), without the type-specific decorations. */
export function valueText(value) {
  if (value === null || value === undefined || value === "") return "";
  if (Array.isArray(value)) return value.map(valueText).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** PocketBase's date text ("2026-01-02 10:00:00.000Z") as a datetime-local input's value, in UTC. */
export function dateToInput(value) {
  if (!value) return "";
  return String(value).replace(" ", "T").slice(0, 16);
}

/** A datetime-local input's value (taken as UTC, as the grid shows dates) as PocketBase's date text. */
export function inputToDate(value) {
  if (!value) return "";
  return `${value.replace("T", " ")}:00.000Z`;
}

/**
 * Record values ready for the SDK: a FormData when files are attached (multipart, as PocketBase takes uploads),
 * otherwise a plain object. `files` maps a field name to File objects to append; `removed` to names to drop.
 */
export function recordBody(values, files = {}, removed = {}) {
  const hasFiles = Object.values(files).some((list) => list && list.length);
  const body = {};
  for (const [name, value] of Object.entries(values)) body[name] = value;
  for (const [name, names] of Object.entries(removed)) {
    if (names && names.length) body[`${name}-`] = names;
  }
  if (!hasFiles) return body;
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value)) {
      if (!value.length) form.append(name, "");
      for (const item of value) form.append(name, item);
    } else if (value !== null && typeof value === "object") {
      form.append(name, JSON.stringify(value));
    } else {
      form.append(name, value ?? "");
    }
  }
  for (const [name, list] of Object.entries(files)) {
    for (const file of list || []) form.append(`${name}+`, file);
  }
  return form;
}
