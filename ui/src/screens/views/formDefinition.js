// A form view's definition (`options.form`, docs/api-views.md): which fields a form may ask for, and a first draft.

// set by the server, or computed: a form never asks for them
const UNASKABLE = new Set(["autodate", "password", "formula", "lookup", "rollup", "count"]);

/** The collection fields a public form may ask for or preset. */
export function askableFields(collection) {
  return (collection.fields || []).filter((f) => f.name !== "id" && !UNASKABLE.has(f.type) && !f.system);
}

/** A definition asking for every askable field, for a new form view. */
export function defaultFormDefinition(collection) {
  return {
    fields: askableFields(collection).map((f) => ({ name: f.name, label: f.name, help: "", required: !!f.required })),
    hidden: [],
    successMessage: "Thank you, your answer was saved.",
    redirectUrl: "",
    enabled: true,
  };
}
