// Every field type the schema editor offers, with its options as PocketBase (and docs/computed-fields.md) name them.

// email and url take the same domain lists
const DOMAIN_OPTIONS = [
  { name: "exceptDomains", label: "Except domains", kind: "list" },
  { name: "onlyDomains", label: "Only domains", kind: "list" },
];

// text and password bound their length and pattern alike
const LENGTH_AND_PATTERN = [
  { name: "min", label: "Min length", kind: "number" },
  { name: "max", label: "Max length", kind: "number" },
  { name: "pattern", label: "Validation pattern (regex)", kind: "text" },
];

// Option kinds: number, text, bool, list (comma-separated strings), choice (one of `choices`), collection (a
// collection id), relation (a relation or back-relation of this collection), target (a field of the related
// collection), json (an object edited as JSON).

export const FIELD_TYPES = [
  { type: "text", label: "Plain text", options: [
    ...LENGTH_AND_PATTERN,
    { name: "autogeneratePattern", label: "Autogenerate pattern", kind: "text" },
  ] },
  { type: "editor", label: "Rich editor", options: [
    { name: "maxSize", label: "Max size (bytes)", kind: "number" },
    { name: "convertURLs", label: "Convert URLs", kind: "bool" },
  ] },
  { type: "number", label: "Number", options: [
    { name: "min", label: "Min", kind: "number" },
    { name: "max", label: "Max", kind: "number" },
    { name: "onlyInt", label: "No decimals", kind: "bool" },
  ] },
  { type: "bool", label: "Bool", options: [] },
  { type: "email", label: "Email", options: DOMAIN_OPTIONS },
  { type: "url", label: "URL", options: DOMAIN_OPTIONS },
  { type: "date", label: "DateTime", options: [
    { name: "min", label: "Min date (UTC)", kind: "text", placeholder: "2024-01-01 00:00:00.000Z" },
    { name: "max", label: "Max date (UTC)", kind: "text", placeholder: "2030-12-31 23:59:59.999Z" },
  ] },
  { type: "autodate", label: "Autodate", options: [
    { name: "onCreate", label: "On create", kind: "bool" },
    { name: "onUpdate", label: "On update", kind: "bool" },
  ] },
  { type: "select", label: "Select", options: [
    { name: "values", label: "Choices", kind: "list", required: true },
    { name: "maxSelect", label: "Max select", kind: "number" },
  ] },
  { type: "file", label: "File", options: [
    { name: "maxSelect", label: "Max files", kind: "number" },
    { name: "maxSize", label: "Max size (bytes)", kind: "number" },
    { name: "mimeTypes", label: "Allowed MIME types", kind: "list", placeholder: "image/png, image/jpeg" },
    { name: "thumbs", label: "Thumb sizes", kind: "list", placeholder: "100x100, 0x300" },
    { name: "protected", label: "Protected (needs a file token)", kind: "bool" },
  ] },
  { type: "relation", label: "Relation", options: [
    { name: "collectionId", label: "Collection", kind: "collection", required: true },
    { name: "minSelect", label: "Min select", kind: "number" },
    { name: "maxSelect", label: "Max select", kind: "number" },
    { name: "cascadeDelete", label: "Cascade delete", kind: "bool" },
  ] },
  { type: "json", label: "JSON", options: [{ name: "maxSize", label: "Max size (bytes)", kind: "number" }] },
  { type: "geoPoint", label: "Geo point", options: [] },
  { type: "password", label: "Password", options: LENGTH_AND_PATTERN },
  // computed types (docs/computed-fields.md): read-only values the server keeps fresh
  { type: "formula", label: "Formula", computed: true, options: [
    { name: "formula", label: "Formula", kind: "formula", required: true, placeholder: 'IF({total} > 1000, "big", "small")' },
    { name: "format", label: "Display format (JSON)", kind: "json", placeholder: '{"style": "currency", "currency": "$", "decimals": 2}' },
  ] },
  { type: "lookup", label: "Lookup", computed: true, options: [
    { name: "relation", label: "Through relation", kind: "relation", required: true },
    { name: "field", label: "Field of the linked records", kind: "target", required: true },
    { name: "filter", label: "Only linked records matching", kind: "text", placeholder: "paid = true" },
  ] },
  { type: "rollup", label: "Rollup", computed: true, options: [
    { name: "relation", label: "Through relation", kind: "relation", required: true },
    { name: "field", label: "Field of the linked records", kind: "target", required: true },
    { name: "aggregate", label: "Aggregate", kind: "choice", choices: ["SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA", "COUNTALL", "CONCATENATE", "ARRAYJOIN", "ARRAYUNIQUE", "AND", "OR", "XOR"] },
    { name: "separator", label: "Separator (ARRAYJOIN)", kind: "text", placeholder: ", " },
    { name: "filter", label: "Only linked records matching", kind: "text", placeholder: "paid = true" },
  ] },
  { type: "count", label: "Count", computed: true, options: [
    { name: "relation", label: "Through relation", kind: "relation", required: true },
    { name: "filter", label: "Only linked records matching", kind: "text", placeholder: "paid = true" },
  ] },
];

export const TYPE_BY_NAME = Object.fromEntries(FIELD_TYPES.map((t) => [t.type, t]));

// Options every field has, beside its type's own.
export const COMMON_FLAGS = [
  { name: "required", label: "Nonempty" },
  { name: "hidden", label: "Hidden" },
  { name: "presentable", label: "Presentable" },
];

/** A new field of `type` with PocketBase's defaults; the id is left out so the server assigns one. */
export function newField(type, existingNames) {
  let n = 1;
  let name = `field${n}`;
  while (existingNames.includes(name)) name = `field${++n}`;
  const field = { name, type, required: false, hidden: false, presentable: false, system: false };
  if (type === "select") Object.assign(field, { values: [], maxSelect: 1 });
  if (type === "relation") Object.assign(field, { collectionId: "", maxSelect: 1, cascadeDelete: false });
  if (type === "file") Object.assign(field, { maxSelect: 1, maxSize: 0, mimeTypes: [], thumbs: [], protected: false });
  if (type === "autodate") Object.assign(field, { onCreate: true, onUpdate: false });
  if (type === "rollup") Object.assign(field, { aggregate: "SUM" });
  if (type === "formula") Object.assign(field, { formula: "" });
  return field;
}

