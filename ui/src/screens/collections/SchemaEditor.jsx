// The schema editor of one collection (or a new one): name and type, fields, indexes, maintained aggregates, API
// rules, the progress of its background work; save, delete.
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { pb } from "../../lib/pb.js";
import { useCollections } from "../../lib/collections.jsx";
import { ConfirmDialog } from "../../lib/dialog.jsx";
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { useSelectedCollection } from "./CollectionHome.jsx";
import { AggregatesEditor } from "./AggregatesEditor.jsx";
import { AuthOptions } from "./AuthOptions.jsx";
import { FieldsEditor } from "./FieldsEditor.jsx";
import { IndexesEditor } from "./IndexesEditor.jsx";
import { isBuilding, JobStates } from "./JobStates.jsx";
import { RuleEditor } from "./RuleEditor.jsx";

const POLL_MS = 1500;
const RULES = [
  { name: "listRule", label: "List/Search rule" },
  { name: "viewRule", label: "View rule" },
  { name: "createRule", label: "Create rule", writes: true },
  { name: "updateRule", label: "Update rule", writes: true },
  { name: "deleteRule", label: "Delete rule", writes: true },
  { name: "authRule", label: "Auth rule", auth: true, help: "Who may sign in, beyond a valid password or code." },
  { name: "manageRule", label: "Manage rule", auth: true, help: "Who may manage other users' email, password and verification." },
];
const NEW = { name: "", type: "base", fields: [], indexes: [], listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null, viewQuery: "" };

function editable(collection) {
  const copy = structuredClone(collection);
  delete copy.created;
  delete copy.updated;
  delete copy.indexStates;
  delete copy.computedStates;
  delete copy.buildState;
  delete copy.aggregateStates;
  return copy;
}

export function SchemaScreen() {
  const collection = useSelectedCollection();
  return <SchemaEditor key={collection?.id || "new"} collection={collection} />;
}

function SchemaEditor({ collection }) {
  const navigate = useNavigate();
  const toasts = useToasts();
  const { list, reload } = useCollections();
  const form = useForm(collection ? editable(collection) : structuredClone(NEW));
  const draft = form.values;
  const setDraft = form.setValues;
  const [removed, setRemoved] = useState([]);
  const [saved, setSaved] = useState(collection);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const isNew = !collection;
  const building = isBuilding(saved);

  // Relation pickers and rule suggestions list the other collections: fresh ones, another tab may have added some.
  useEffect(() => {
    reload();
  }, [reload]);

  // While an index, a computed field, a view or an aggregate is built, follow its state until it settles.
  useEffect(() => {
    if (!building || !saved?.id) return undefined;
    const timer = setInterval(async () => {
      try {
        setSaved(await pb.collections.getOne(saved.id));
      } catch {
        /* the next tick retries; a lost session is handled globally */
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [building, saved?.id]);

  async function save(values) {
    const body = { ...values, fields: (values.fields || []).map(({ _key, ...field }) => field) };
    if (body.type === "view") {
      delete body.fields;
      delete body.indexes;
    }
    const answer = isNew ? await pb.collections.create(body) : await pb.collections.update(collection.id, body);
    setSaved(answer);
    setDraft(editable(answer));
    setRemoved([]);
    await reload();
    toasts.success(`Saved ${answer.name}.`);
    if (isNew || answer.name !== collection.name) navigate(`/collections/${answer.name}/schema`, { replace: true });
  }

  async function remove() {
    try {
      await pb.collections.delete(collection.id);
      await reload();
      toasts.success(`Deleted ${collection.name}.`);
      navigate("/collections", { replace: true });
    } catch (err) {
      setConfirmDelete(false);
      toasts.error(err?.response?.message || "Could not delete the collection.");
    }
  }

  const others = list.filter((c) => c.id !== draft.id);
  const ruleCollections = [...others, draft];
  const dirty = JSON.stringify(draft) !== JSON.stringify(collection ? editable(collection) : NEW) || removed.length > 0;
  return (
    <Form form={form} onSubmit={save} aria-label="Collection schema" className="schema-editor">
      <div className="schema-top">
        <Field form={form} name="name" label="Name" required disabled={!!collection?.system} autoComplete="off" help={collection ? "Renaming keeps the records." : "Letters, digits and _; shown in the API's paths."} />
        <Field form={form} name="type" label="Type">
          {(props) => (
            <select {...props} value={draft.type} disabled={!isNew} onChange={(e) => form.set("type", e.target.value)}>
              <option value="base">Base</option>
              <option value="auth">Auth</option>
              <option value="view">View</option>
            </select>
          )}
        </Field>
      </div>
      <JobStates collection={saved} />
      {draft.type === "view" ? (
        <section aria-labelledby="query-heading">
          <h2 id="query-heading">View query</h2>
          <Field form={form} name="viewQuery" label="SELECT query" type="textarea" help="The fields are inferred from the query when saved." spellCheck={false} />
        </section>
      ) : (
        <>
          <FieldsEditor draft={draft} setDraft={setDraft} collections={others} removed={removed} setRemoved={setRemoved} />
          <IndexesEditor draft={draft} setDraft={setDraft} states={saved?.indexStates} saved={saved?.indexes} />
          <AggregatesEditor draft={draft} setDraft={setDraft} states={saved?.aggregateStates} saved={saved?.aggregates} />
        </>
      )}
      {draft.type === "auth" && !isNew && <AuthOptions draft={draft} setDraft={setDraft} />}
      <section aria-labelledby="rules-heading">
        <h2 id="rules-heading">API rules</h2>
        <p className="muted">
          A locked rule lets only superusers act; an empty one lets everyone. Type a field or <code>@</code> for suggestions.
        </p>
        {RULES.filter((r) => (!r.writes || draft.type !== "view") && (!r.auth || draft.type === "auth")).map((r) => (
          <RuleEditor
            key={r.name}
            name={r.name}
            label={r.label}
            help={r.help}
            value={draft[r.name]}
            onChange={(v) => form.set(r.name, v)}
            draft={draft}
            collections={ruleCollections}
          />
        ))}
      </section>
      <div className="form-actions">
        {collection && !collection.system && (
          <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)}>
            Delete collection
          </button>
        )}
        <span className="muted">{dirty ? "Unsaved changes" : ""}</span>
        <SubmitButton form={form}>{isNew ? "Create collection" : "Save changes"}</SubmitButton>
      </div>
      {collection && (
        <ConfirmDialog
          open={confirmDelete}
          title={`Delete ${collection.name}?`}
          message="The collection and all its records and files are deleted. This cannot be undone."
          typed={collection.name}
          confirmLabel="Delete collection"
          onConfirm={remove}
          onCancel={() => setConfirmDelete(false)}
        />
      )}
    </Form>
  );
}
