// One user's panel: the account form, and for an existing record its sessions, MFA, impersonation and API tokens.
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { ConfirmDialog } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Field, Form, Spinner, SubmitButton, useForm } from "../../lib/forms.jsx";
import { pb, SUPERUSERS } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";
import { ApiTokensSection } from "./ApiTokensSection.jsx";
import { ImpersonateSection } from "./ImpersonateSection.jsx";
import { MfaSection } from "./MfaSection.jsx";
import { SessionsSection } from "./SessionsSection.jsx";

export function UserPanel({ collection, recordId, onSaved, onDeleted }) {
  const isNew = recordId === "new";
  const [record, setRecord] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    if (isNew) return;
    pb.collection(collection.name).getOne(recordId).then(setRecord, (err) => setError(apiError(err)));
  }, [collection.name, recordId, isNew]);

  const title = isNew ? `New ${collection.name === SUPERUSERS ? "superuser" : "user"}` : record?.email || recordId;
  return (
    <aside className="panel" aria-label={isNew ? title : `User ${title}`}>
      <div className="panel-head">
        <h2>{title}</h2>
        <Link to={`/users/${collection.name}`} className="btn btn-secondary btn-sm">Close</Link>
      </div>
      <ErrorBanner error={error} />
      {!isNew && !record && !error && <Spinner label="Loading user" />}
      {(isNew || record) && (
        <>
          <section aria-labelledby="user-account">
            <h3 id="user-account">Account</h3>
            <AccountForm collection={collection} record={record} onSaved={(r) => { setRecord(r); onSaved(r, isNew); }} onDeleted={onDeleted} />
          </section>
          {record && (
            <>
              <SessionsSection collection={collection} record={record} />
              <MfaSection collection={collection} record={record} />
              <ImpersonateSection collection={collection} record={record} />
              <ApiTokensSection collection={collection} record={record} />
            </>
          )}
        </>
      )}
    </aside>
  );
}

function AccountForm({ collection, record, onSaved, onDeleted }) {
  const toasts = useToasts();
  const isSuperusers = collection.name === SUPERUSERS;
  const form = useForm({
    email: record?.email || "",
    emailVisibility: !!record?.emailVisibility,
    verified: !!record?.verified,
    password: "",
    passwordConfirm: "",
  });
  const [confirmDelete, setConfirmDelete] = useState(false);

  async function save(values) {
    const body = { email: values.email, emailVisibility: values.emailVisibility };
    if (!isSuperusers) body.verified = values.verified;
    // an empty password on an edit means "keep it"; on a create the API asks for one
    if (!record || values.password || values.passwordConfirm) {
      body.password = values.password;
      body.passwordConfirm = values.passwordConfirm;
    }
    const api = pb.collection(collection.name);
    const saved = record ? await api.update(record.id, body) : await api.create(body);
    form.setValues((v) => ({ ...v, password: "", passwordConfirm: "" }));
    toasts.success(record ? "User saved." : "User created.");
    onSaved(saved);
  }

  async function remove() {
    try {
      await pb.collection(collection.name).delete(record.id);
      toasts.success("User deleted.");
      setConfirmDelete(false);
      onDeleted();
    } catch (err) {
      setConfirmDelete(false);
      form.setError(apiError(err));
    }
  }

  return (
    <Form form={form} onSubmit={save} aria-label={record ? "Edit user" : "Create user"}>
      <Field form={form} name="email" label="Email" type="email" autoComplete="off" />
      <div className="row-actions">
        <Field form={form} name="emailVisibility" label="Email visible to other users" type="checkbox" />
        {!isSuperusers && <Field form={form} name="verified" label="Verified" type="checkbox" />}
      </div>
      <div className="grid-2">
        <Field form={form} name="password" label={record ? "New password" : "Password"} type="password" autoComplete="new-password"
               help={record ? "Leave empty to keep the current password. A new one ends the user's sessions." : undefined} />
        <Field form={form} name="passwordConfirm" label="Password confirm" type="password" autoComplete="new-password" />
      </div>
      <p className="muted">
        Other fields are edited in the <Link to={`/collections/${collection.name}/records`}>records of {collection.name}</Link>.
      </p>
      <div className="row-actions">
        <SubmitButton form={form}>{record ? "Save" : "Create"}</SubmitButton>
        {record && (
          <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)}>Delete</button>
        )}
      </div>
      {record && (
        <ConfirmDialog open={confirmDelete} title="Delete user" confirmLabel="Delete"
                       message={`Delete ${record.email || record.id}? Their sessions, tokens and MFA state go with them.`}
                       onConfirm={remove} onCancel={() => setConfirmDelete(false)} />
      )}
    </Form>
  );
}
