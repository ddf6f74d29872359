// Per auth collection: its token durations and its OAuth2 providers (collection options, saved with a PATCH).
import { Navigate, NavLink, useParams } from "react-router";
import { useCollections } from "../../lib/collections.jsx";
import { Field, Form, Spinner, SubmitButton, useForm } from "../../lib/forms.jsx";
import { pb } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";
import { formatDuration } from "../../lib/timeFormat.js";
import { OAuth2Form } from "./OAuth2Form.jsx";

const DURATIONS = [
  ["authToken", "Auth token", "How long a sign-in's token is valid (a refresh gives a new one)."],
  ["verificationToken", "Email verification token", ""],
  ["passwordResetToken", "Password reset token", ""],
  ["emailChangeToken", "Email change token", ""],
  ["fileToken", "Protected file token", ""],
];

export function AuthCollectionSettings() {
  const { collection: name } = useParams();
  const { list, byIdOrName, loading, reload } = useCollections();
  const auth = list.filter((c) => c.type === "auth");
  if (!name) {
    if (!auth.length) return loading ? <Spinner label="Loading collections" /> : <p>No auth collections.</p>;
    return <Navigate to={`/settings/auth/${(auth.find((c) => !c.system) || auth[0]).name}`} replace />;
  }
  const collection = byIdOrName(name);
  if (!collection) return loading ? <Spinner label="Loading collection" /> : <p role="alert">No auth collection named {name}.</p>;
  return (
    <div className="settings-page">
      <header className="page-header">
        <h1>Auth collections</h1>
        <nav aria-label="Auth collections" className="tabs">
          {auth.map((c) => <NavLink key={c.id} to={`/settings/auth/${c.name}`}>{c.name}</NavLink>)}
        </nav>
      </header>
      <section aria-labelledby="token-durations">
        <h2 id="token-durations">Token durations of {collection.name}</h2>
        <DurationsForm key={`d-${collection.id}-${collection.updated}`} collection={collection} onSaved={reload} />
      </section>
      <section aria-labelledby="oauth2-providers" className="settings-section">
        <h2 id="oauth2-providers">OAuth2 of {collection.name}</h2>
        <OAuth2Form key={`o-${collection.id}-${collection.updated}`} collection={collection} onSaved={reload} />
      </section>
    </div>
  );
}

function DurationsForm({ collection, onSaved }) {
  const toasts = useToasts();
  const form = useForm(Object.fromEntries(DURATIONS.map(([key]) => [`${key}.duration`, String(collection[key]?.duration ?? "")])));

  async function save(values) {
    const body = Object.fromEntries(DURATIONS.map(([key]) => {
      const value = values[`${key}.duration`];
      return [key, { duration: value === "" ? 0 : Number(value) }];
    }));
    await pb.collections.update(collection.id, body);
    toasts.success(`Token durations of ${collection.name} saved.`);
    await onSaved();
  }

  return (
    <Form form={form} onSubmit={save} aria-label="Token durations">
      <div className="grid-2">
        {DURATIONS.map(([key, label, help]) => (
          <Field key={key} form={form} name={`${key}.duration`} label={`${label} (seconds)`} type="number" min="0"
                 help={[durationText(form.values[`${key}.duration`]), help].filter(Boolean).join(". ") || undefined} />
        ))}
      </div>
      <div className="form-actions">
        <SubmitButton form={form}>Save durations</SubmitButton>
      </div>
    </Form>
  );
}

/** "5 days" for a typed number of seconds, "" while it is not a positive whole number. */
function durationText(value) {
  const seconds = Number(value);
  return Number.isInteger(seconds) && seconds > 0 ? formatDuration(seconds) : "";
}
