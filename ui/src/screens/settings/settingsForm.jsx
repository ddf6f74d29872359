// The settings forms: fields described by their dotted path in PocketBase's settings JSON, saved as one PATCH.
import { useCallback, useEffect, useState } from "react";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Field, Form, Spinner, SubmitButton, useForm } from "../../lib/forms.jsx";
import { pb } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";

/** settings["smtp"]["host"] for "smtp.host". */
function getPath(object, path) {
  return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), object);
}

/** Sets object.smtp.host for "smtp.host", creating the objects on the way. */
function setPath(object, path, value) {
  const keys = path.split(".");
  let node = object;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys[keys.length - 1]] = value;
  return object;
}

/** What an input shows for a stored value; a secret never shows one (the API does not send it anyway). */
function toInput(spec, value) {
  if (spec.type === "secret") return "";
  if (spec.type === "checkbox") return !!value;
  if (spec.type === "list") return (value || []).join(", ");
  return value ?? "";
}

/** What the API gets for a typed value, in the JSON type it validates (a number as a number). */
function fromInput(spec, value) {
  if (spec.type === "number") return value === "" ? 0 : Number(value);
  if (spec.type === "list") return String(value).split(",").map((v) => v.trim()).filter(Boolean);
  return value;
}

function initialValues(settings, specs) {
  return Object.fromEntries(specs.map((s) => [s.path, toInput(s, getPath(settings, s.path))]));
}

/** The PATCH body of the given fields; an empty secret is left out, so the stored one is kept. */
function patchBody(values, specs) {
  const body = {};
  for (const spec of specs) {
    const value = values[spec.path];
    if (spec.type === "secret" && !value) continue;
    setPath(body, spec.path, fromInput(spec, value));
  }
  return body;
}

/** One field of a settings form, by its spec {path, label, type, help, options}; `secrets` says which are set. */
function SettingField({ form, spec, secrets }) {
  if (spec.type === "secret") {
    return (
      <Field form={form} name={spec.path} label={spec.label} type="password" autoComplete="new-password"
             placeholder={secrets?.[spec.path] === false ? "" : "Unchanged"} help={secretHelp(secrets?.[spec.path])} />
    );
  }
  if (spec.type === "select") {
    return (
      <Field form={form} name={spec.path} label={spec.label} help={spec.help}>
        {(props) => (
          <select {...props} value={form.values[spec.path]} onChange={(e) => form.set(spec.path, e.target.value)}>
            {spec.options.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
          </select>
        )}
      </Field>
    );
  }
  const type = spec.type === "list" ? "text" : spec.type || "text";
  return <Field form={form} name={spec.path} label={spec.label} type={type} help={spec.help} autoComplete="off"
                min={spec.type === "number" ? (spec.min ?? 0) : undefined} />;
}

/** What a secret input says of the stored value: set, not set, or (an API that does not tell) neither. */
function secretHelp(set) {
  if (set === true) return "Set: stored encrypted, never shown. Leave empty to keep it; type to replace it.";
  if (set === false) return "Not set. A value typed here is stored encrypted and never shown.";
  return "Stored encrypted and never shown. Leave empty to keep the stored value; type to replace it.";
}

/** Which secrets are stored ({"smtp.password": true, ...}, Lambdabase's GET /api/settings/secrets), never a value. */
function useSecretsPresence(wanted) {
  const [secrets, setSecrets] = useState(null);
  const reload = useCallback(async () => {
    if (!wanted) return;
    try {
      setSecrets(await pb.send("/api/settings/secrets", { method: "GET" }));
    } catch {
      setSecrets(null); // an older stack without the endpoint: the fields just do not say
    }
  }, [wanted]);
  useEffect(() => {
    reload();
  }, [reload]);
  return { secrets, reload };
}

/** GET /api/settings once, with reload; `settings` is null while loading. */
function useAppSettings() {
  const [settings, setSettings] = useState(null);
  const [error, setError] = useState(null);
  const reload = useCallback(async () => {
    try {
      setSettings(await pb.settings.getAll());
      setError(null);
    } catch (err) {
      setError(apiError(err));
    }
  }, []);
  useEffect(() => {
    reload();
  }, [reload]);
  return { settings, setSettings, error, reload };
}

/** A settings page: loads the settings, then renders `children(settings, setSettings)` when they are there. */
export function SettingsPage({ title, intro, children }) {
  const { settings, setSettings, error } = useAppSettings();
  return (
    <div className="settings-page">
      <h1>{title}</h1>
      {intro && <p className="muted">{intro}</p>}
      <ErrorBanner error={error} />
      {!settings && !error && <Spinner label="Loading settings" />}
      {settings && children(settings, setSettings)}
    </div>
  );
}

/**
 * A form over some fields of the settings, grouped in fieldsets: `groups` is [{legend, specs}]. A save PATCHes
 * only those fields; a failed save keeps every typed value, a saved one clears the secrets typed.
 */
export function SettingsForm({ label, settings, groups, onSaved, extra }) {
  const toasts = useToasts();
  const specs = groups.flatMap((g) => g.specs);
  const form = useForm(initialValues(settings, specs));
  const hasSecrets = specs.some((s) => s.type === "secret");
  const { secrets, reload: reloadSecrets } = useSecretsPresence(hasSecrets);

  async function save(values) {
    const saved = await pb.settings.update(patchBody(values, specs));
    form.setValues(initialValues(saved, specs));
    onSaved(saved);
    await reloadSecrets();
    toasts.success("Settings saved.");
  }

  return (
    <Form form={form} onSubmit={save} aria-label={label}>
      {groups.map((group) => (
        <fieldset key={group.legend}>
          <legend>{group.legend}</legend>
          {group.help && <p className="muted">{group.help}</p>}
          <div className="grid-2">
            {group.specs.map((spec) => <SettingField key={spec.path} form={form} spec={spec} secrets={secrets} />)}
          </div>
        </fieldset>
      ))}
      {extra && extra(form)}
      <div className="form-actions">
        <SubmitButton form={form}>Save changes</SubmitButton>
      </div>
    </Form>
  );
}
