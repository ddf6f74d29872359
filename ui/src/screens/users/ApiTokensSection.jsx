// A user's API tokens (Lambdabase): the list without secrets, create (the secret shown once), revoke.
import { useState } from "react";
import { CopyButton } from "../../lib/clipboard.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Field, Form, Spinner, SubmitButton, useForm } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { formatDate } from "../../lib/timeFormat.js";
import { recordSend, useRecordResource } from "./recordApi.js";

const DAY = 86400;

export function ApiTokensSection({ collection, record }) {
  const toasts = useToasts();
  const { data: tokens, error, setError, reload: load } = useRecordResource(collection, record, "api-tokens");
  const [created, setCreated] = useState(null);
  const form = useForm({ name: "", scopes: "", readOnly: false, duration: "90" });

  async function create(values) {
    const body = {
      name: values.name,
      scopes: values.scopes.split(/[\s,]+/).filter(Boolean),
      readOnly: values.readOnly,
      // the form asks for days; the API takes seconds (its field error still lands on this field)
      duration: Math.round(Number(values.duration || 0) * DAY),
    };
    const answer = await recordSend(collection, record, "api-tokens", { method: "POST", body });
    setCreated(answer);
    form.setValues({ name: "", scopes: "", readOnly: false, duration: "90" });
    await load();
  }

  async function revoke(token) {
    try {
      await recordSend(collection, record, `api-tokens/${encodeURIComponent(token.id)}`, { method: "DELETE" });
      toasts.success(`API token ${token.name} revoked.`);
      if (created?.id === token.id) setCreated(null);
      await load();
    } catch (err) {
      setError(apiError(err));
    }
  }

  return (
    <section aria-labelledby="user-api-tokens">
      <h3 id="user-api-tokens">API tokens</h3>
      <ErrorBanner error={error} />
      {!tokens && !error && <Spinner label="Loading API tokens" />}
      {tokens && !tokens.length && <p className="muted">No API tokens.</p>}
      {tokens?.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="mono wrap">{t.scopes.join(" ")}{t.readOnly && <> <span className="pill pill-no">read-only</span></>}</td>
                <td>{formatDate(t.expires)}</td>
                <td>{t.lastUsed ? `${formatDate(t.lastUsed)} (${t.usageCount})` : "never"}</td>
                <td className="actions">
                  <button type="button" className="btn btn-secondary btn-sm" aria-label={`Revoke API token ${t.name}`} onClick={() => revoke(t)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {created && (
        <div className="field" role="group" aria-label="New API token">
          <label htmlFor="new-api-token">Token {created.name}: shown this once</label>
          <div className="secret-box">
            <textarea id="new-api-token" readOnly value={created.token} />
            <CopyButton text={created.token} label="Copy API token" />
          </div>
        </div>
      )}
      <details>
        <summary>New API token</summary>
        <Form form={form} onSubmit={create} aria-label="New API token">
          <Field form={form} name="name" label="Name" autoComplete="off" />
          <Field form={form} name="scopes" label="Scopes" className="mono" autoComplete="off"
                 help="collection:action, separated by spaces or commas: posts:list posts:view comments:*" />
          <div className="grid-2">
            <Field form={form} name="duration" label="Valid for (days)" type="number" min="1" max="365"
                   help="1 to 365 days; every token expires." />
            <Field form={form} name="readOnly" label="Read-only (list and view only)" type="checkbox" />
          </div>
          <SubmitButton form={form} className="btn btn-secondary">Create token</SubmitButton>
        </Form>
      </details>
    </section>
  );
}

