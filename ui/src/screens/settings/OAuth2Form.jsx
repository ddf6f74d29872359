// An auth collection's OAuth2 options: on/off, the mapped fields, and its providers (client secrets write-only).
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";
import { useFieldError } from "../../lib/errors.jsx";
import { pb } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";

const PROVIDERS = [
  ["github", "GitHub"], ["google", "Google"], ["microsoft", "Microsoft"], ["apple", "Apple"], ["gitlab", "GitLab"],
  ["discord", "Discord"], ["oidc", "OpenID Connect"], ["oidc2", "OpenID Connect (2)"], ["oidc3", "OpenID Connect (3)"],
];
const MAPPED = [["id", "Provider id"], ["name", "Name"], ["username", "Username"], ["avatarURL", "Avatar URL"]];
const URLS = [["authURL", "Auth URL"], ["tokenURL", "Token URL"], ["userInfoURL", "User info URL"]];

function providerValues(p) {
  return {
    original: p,
    name: p.name || "github",
    displayName: p.displayName || "",
    clientId: p.clientId || "",
    clientSecret: "", // never answered by the API; typed only to replace it
    authURL: p.authURL || "",
    tokenURL: p.tokenURL || "",
    userInfoURL: p.userInfoURL || "",
    issuer: p.extra?.issuer || "",
    isNew: !p.name,
  };
}

export function OAuth2Form({ collection, onSaved }) {
  const toasts = useToasts();
  const oauth2 = collection.oauth2 || {};
  const form = useForm({
    enabled: !!oauth2.enabled,
    mapped: { ...(oauth2.mappedFields || {}) },
    providers: (oauth2.providers || []).map(providerValues),
  });
  const providers = form.values.providers;

  function setProvider(index, key, value) {
    form.set("providers", providers.map((p, i) => (i === index ? { ...p, [key]: value } : p)));
  }

  async function save(values) {
    const body = {
      oauth2: {
        enabled: values.enabled,
        mappedFields: values.mapped,
        providers: values.providers.map((p) => {
          const extra = { ...(p.original.extra || {}) };
          if (p.issuer) extra.issuer = p.issuer;
          else delete extra.issuer;
          const out = { ...p.original, name: p.name, displayName: p.displayName, clientId: p.clientId,
                        authURL: p.authURL, tokenURL: p.tokenURL, userInfoURL: p.userInfoURL, extra };
          // a provider saved back without a secret keeps its stored one
          if (p.clientSecret) out.clientSecret = p.clientSecret;
          return out;
        }),
      },
    };
    await pb.collections.update(collection.id, body);
    toasts.success(`OAuth2 of ${collection.name} saved.`);
    await onSaved();
  }

  return (
    <Form form={form} onSubmit={save} aria-label="OAuth2 settings">
      <Field form={form} name="enabled" label="Enable OAuth2 sign-in" type="checkbox" />
      <fieldset className="provider">
        <legend>Fields filled from the provider on sign-up</legend>
        <p className="muted">Field names of {collection.name}; empty ones are not filled.</p>
        <div className="grid-2">
          {MAPPED.map(([key, label]) => (
            <Field key={key} form={form} name={`oauth2.mappedFields.${key}`} label={label}>
              {(props) => <input {...props} value={form.values.mapped[key] || ""} onChange={(e) => form.set("mapped", { ...form.values.mapped, [key]: e.target.value })} />}
            </Field>
          ))}
        </div>
      </fieldset>
      <ProvidersError />
      {providers.map((p, i) => (
        <div key={i} className="provider" role="group" aria-label={`Provider ${i + 1}`}>
          <div className="provider-head">
            <h3>{PROVIDERS.find(([n]) => n === p.name)?.[1] || p.name}</h3>
            <button type="button" className="btn btn-secondary btn-sm" aria-label={`Remove provider ${i + 1}`}
                    onClick={() => form.set("providers", providers.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
          <div className="grid-2">
            <Field form={form} name={`oauth2.providers.${i}.name`} label="Provider">
              {(props) => (
                <select {...props} value={p.name} onChange={(e) => setProvider(i, "name", e.target.value)}>
                  {PROVIDERS.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
                </select>
              )}
            </Field>
            <ProviderInput form={form} i={i} p={p} setProvider={setProvider} field="displayName" label="Display name" />
            <ProviderInput form={form} i={i} p={p} setProvider={setProvider} field="clientId" label="Client ID" />
            <ProviderInput form={form} i={i} p={p} setProvider={setProvider} field="clientSecret" label="Client secret" type="password"
                           placeholder={p.isNew ? "" : "Unchanged"}
                           help={p.isNew ? "Stored encrypted, never shown again." : "Stored encrypted and never shown. Leave empty to keep it."} />
            {URLS.map(([field, label]) => (
              <ProviderInput key={field} form={form} i={i} p={p} setProvider={setProvider} field={field} label={label} type="url"
                             help="Empty: the provider's own." />
            ))}
            {p.name.startsWith("oidc") && (
              <ProviderInput form={form} i={i} p={p} setProvider={setProvider} field="issuer" errorField="extra.issuer" label="Issuer (discovery)"
                             type="url" help="The endpoints and keys come from its /.well-known/openid-configuration." />
            )}
          </div>
        </div>
      ))}
      <div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => form.set("providers", [...providers, providerValues({})])}>
          + Add provider
        </button>
      </div>
      <div className="form-actions">
        <SubmitButton form={form}>Save OAuth2</SubmitButton>
      </div>
    </Form>
  );
}

function ProviderInput({ form, i, p, setProvider, field, errorField, label, type = "text", help, placeholder }) {
  return (
    <Field form={form} name={`oauth2.providers.${i}.${errorField || field}`} label={label} help={help}>
      {(props) => (
        <input {...props} type={type} value={p[field]} placeholder={placeholder} autoComplete={type === "password" ? "new-password" : "off"}
               onChange={(e) => setProvider(i, field, e.target.value)} />
      )}
    </Field>
  );
}

/** An error about the providers as a whole (a provider named twice). */
function ProvidersError() {
  const message = useFieldError("oauth2.providers");
  return message ? <div className="field-error" role="alert">{message}</div> : null;
}
