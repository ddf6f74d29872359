// What the rule editor's autocomplete offers at the cursor: fields of the collection (and of the relations they
// name), the `@request` macros, `@collection.<name>` joins and the datetime macros of PocketBase's filter language.

export const REQUEST_MACROS = [
  "@request.auth.id", "@request.auth.collectionName", "@request.auth.collectionId", "@request.auth.verified",
  "@request.auth.email", "@request.body.", "@request.query.", "@request.headers.", "@request.method",
  "@request.context",
];
export const DATE_MACROS = [
  "@now", "@second", "@minute", "@hour", "@weekday", "@day", "@month", "@year", "@todayStart", "@todayEnd",
  "@monthStart", "@monthEnd", "@yearStart", "@yearEnd",
];

/** The identifier being typed at `pos` in `text`: its start and the text so far. */
export function tokenAt(text, pos) {
  let start = pos;
  while (start > 0 && /[\w.@:]/.test(text[start - 1])) start--;
  return { start, prefix: text.slice(start, pos) };
}

function fieldsOf(collection) {
  // secrets never take part in rules' suggestions (PocketBase hides them from filters too)
  return (collection?.fields || []).filter((f) => f.name && f.type !== "password" && f.name !== "tokenKey");
}

/**
 * Suggestions for `prefix`: [{label, insert, detail}], at most `limit`. `draft` is the collection being
 * edited (unsaved fields included), `collections` every saved collection (for relations and @collection).
 */
export function suggest(prefix, draft, collections, limit = 12) {
  if (!prefix) return [];
  const out = [];
  const add = (insert, detail) => {
    if (insert.toLowerCase().startsWith(prefix.toLowerCase()) && insert !== prefix) {
      out.push({ label: insert, insert, detail });
    }
  };
  const byId = (id) => collections.find((c) => c.id === id || c.name === id);
  if (prefix.startsWith("@collection.")) {
    const [, name, ...rest] = prefix.split(".");
    if (rest.length === 0) {
      for (const c of collections) add(`@collection.${c.name}.`, `${c.type} collection`);
    } else {
      const target = byId(name);
      for (const f of fieldsOf(target)) add(`@collection.${name}.${f.name}`, f.type);
    }
  } else if (prefix.startsWith("@request.auth.")) {
    const users = collections.filter((c) => c.type === "auth");
    const names = new Set(["id", "collectionName", "collectionId", "email", "verified"]);
    for (const c of users) for (const f of fieldsOf(c)) names.add(f.name);
    for (const n of names) add(`@request.auth.${n}`, "the signed-in record");
  } else if (prefix.startsWith("@request.body.")) {
    for (const f of fieldsOf(draft)) add(`@request.body.${f.name}`, `submitted ${f.type}`);
  } else if (prefix.startsWith("@")) {
    for (const m of REQUEST_MACROS) add(m, "request");
    add("@collection.", "join another collection");
    for (const m of DATE_MACROS) add(m, "datetime macro");
  } else {
    // a field path: `owner.name` follows a relation into its collection
    const parts = prefix.split(".");
    let current = draft;
    for (const part of parts.slice(0, -1)) {
      const field = fieldsOf(current).find((f) => f.name === part);
      current = field?.type === "relation" ? byId(field.collectionId) : null;
      if (!current) return [];
    }
    const head = parts.slice(0, -1).join(".");
    for (const f of fieldsOf(current)) add(head ? `${head}.${f.name}` : f.name, f.type);
    if (parts.length === 1) for (const m of ["@request.", "@collection."]) add(m, "macro");
  }
  return out.slice(0, limit);
}


