// Creating or changing a saved view: name, type and the type's options, filter and sort; the API checks each.
import { pb } from "../../lib/pb.js";
import { Modal } from "../../lib/dialog.jsx";
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { defaultFormDefinition } from "./formDefinition.js";
import { VIEWS, VIEW_TYPES, viewsChanged } from "./useViews.js";

const OPTION_FIELDS = {
  kanban: [
    { key: "stackField", label: "Stack by", required: true, fits: (f) => (f.type === "select" || f.type === "relation") && (f.maxSelect || 1) === 1,
      help: "A single select (a stack per option) or a single relation." },
    { key: "rankField", label: "Card order (rank)", fits: (f) => f.type === "number", help: "A number field: cards are ordered by it, and a drag sets it." },
  ],
  calendar: [
    { key: "dateField", label: "Date", required: true, fits: (f) => f.type === "date" || f.type === "autodate", help: "Where a record starts." },
    { key: "endField", label: "End date", fits: (f) => f.type === "date" || f.type === "autodate", help: "Where it ends (none: an instant)." },
  ],
  gallery: [
    { key: "coverField", label: "Cover", required: true, fits: (f) => f.type === "file", help: "The first file of this field is the card's cover." },
  ],
};

function initialValues(view) {
  const options = view?.options || {};
  return {
    name: view?.name || "",
    type: view?.type || "grid",
    filter: view?.filter || "",
    sort: view?.sort || "",
    description: view?.description || "",
    slug: view?.slug || "",
    stackField: options.stackField || "",
    rankField: options.rankField || "",
    dateField: options.dateField || "",
    endField: options.endField || "",
    coverField: options.coverField || "",
  };
}

/** The `options` of a view of `type` from the form's values, keeping what the dialog does not edit (a form's definition). */
function optionsOf(type, values, view, collection) {
  const kept = view?.type === type ? { ...(view.options || {}) } : {};
  for (const spec of OPTION_FIELDS[type] || []) {
    if (values[spec.key]) kept[spec.key] = values[spec.key];
    else delete kept[spec.key];
  }
  if (type === "form" && !kept.form) kept.form = defaultFormDefinition(collection);
  return kept;
}

export function ViewEditor({ collection, view, onSaved, onClose }) {
  const form = useForm(initialValues(view));
  const toasts = useToasts();
  const { type } = form.values;

  async function save(values) {
    const body = {
      name: values.name,
      type: values.type,
      filter: values.filter,
      sort: values.sort,
      description: values.description,
      slug: values.type === "form" ? values.slug : view?.slug || "",
      options: optionsOf(values.type, values, view, collection),
    };
    const saved = view ? await pb.collection(VIEWS).update(view.id, body) : await pb.collection(VIEWS).create({ ...body, collection: collection.id });
    toasts.success(view ? "View saved." : "View created.");
    viewsChanged();
    onSaved(saved);
  }

  return (
    <Modal open title={view ? `View settings: ${view.name}` : `New view of ${collection.name}`} onClose={onClose}>
      <Form form={form} onSubmit={save} aria-label="View settings">
        <Field form={form} name="name" label="Name" required autoFocus />
        <Field form={form} name="type" label="Type">
          {(common) => (
            <select {...common} value={type} onChange={(e) => form.set("type", e.target.value)}>
              {VIEW_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          )}
        </Field>
        {(OPTION_FIELDS[type] || []).map((spec) => (
          <Field key={spec.key} form={form} name={spec.required ? "options" : `options.${spec.key}`} label={spec.label} help={spec.help}>
            {(common) => (
              <select {...common} value={form.values[spec.key]} onChange={(e) => form.set(spec.key, e.target.value)}>
                <option value="">{spec.required ? "Choose a field" : "None"}</option>
                {collection.fields.filter(spec.fits).map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
              </select>
            )}
          </Field>
        ))}
        {type === "form" && (
          <Field form={form} name="slug" label="Public address (slug)" help="Lower-case letters, digits, - and _. The form is public at this address while enabled." />
        )}
        <Field form={form} name="filter" label="Filter" help="PocketBase's filter language; every read through the view is narrowed by it." className="mono" />
        <Field form={form} name="sort" label="Sort" help="e.g. -created,title" className="mono" />
        <Field form={form} name="description" label="Description" type="textarea" />
        <div className="modal-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <SubmitButton form={form}>{view ? "Save view" : "Create view"}</SubmitButton>
        </div>
      </Form>
    </Modal>
  );
}
