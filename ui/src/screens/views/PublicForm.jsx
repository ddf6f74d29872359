// A public form as a guest sees it (GET /api/forms/{slug}), submitted without auth; also the editor's live preview.
import { useEffect, useId, useState } from "react";
import PocketBase, { BaseAuthStore } from "pocketbase";
import { useParams } from "react-router";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import "./views.css";

// A client with an in-memory, empty auth store: a form is filled as a guest even beside a signed-in dashboard.
const guest = new PocketBase(window.location.origin, new BaseAuthStore());
guest.autoCancellation(false);

/** The guest page at /_/#/forms/:slug (outside the signed-in shell). */
export function PublicFormPage() {
  const { slug } = useParams();
  return (
    <main className="public-form-page">
      <PublicForm slug={slug} />
    </main>
  );
}

/** `preview`: shown inside the dashboard, where submitting is off (a preview must not create records). */
export function PublicForm({ slug, preview = false, generation = 0 }) {
  const [form, setForm] = useState(null);
  const [loadError, setLoadError] = useState(null);
  useEffect(() => {
    let stale = false;
    setForm(null);
    setLoadError(null);
    guest.send(`/api/forms/${encodeURIComponent(slug)}`, {})
      .then((f) => !stale && setForm(f))
      .catch((err) => !stale && setLoadError(apiError(err)));
    return () => {
      stale = true;
    };
  }, [slug, generation]);

  if (loadError) {
    return <div className="alert alert-danger" role="alert">{loadError.status === 404 ? "This form is not available." : loadError.message}</div>;
  }
  if (!form) return <Spinner label="Loading form" />;
  return <FormBody form={form} preview={preview} />;
}

function initialValues(form) {
  const values = {};
  for (const f of form.fields) {
    const type = f.input?.type;
    const multiple = (f.input?.maxSelect || 1) > 1;
    if (type === "bool") values[f.name] = f.default ?? false;
    else if (type === "file") values[f.name] = [];
    else if (multiple) values[f.name] = Array.isArray(f.default) ? f.default : [];
    else values[f.name] = f.default ?? "";
  }
  return values;
}

/** A field's typed value as the API takes it: dates in PocketBase's text, numbers as numbers. */
function sent(field, value) {
  const type = field.input?.type;
  if (type === "date" && value) return `${value.replace("T", " ")}:00.000Z`;
  if (type === "number") return value === "" ? null : Number(value);
  return value;
}

function FormBody({ form, preview }) {
  const [values, setValues] = useState(() => initialValues(form));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const titleId = useId();

  async function submit(e) {
    e.preventDefault();
    if (preview) return;
    setBusy(true);
    setError(null);
    try {
      const hasFiles = form.fields.some((f) => f.input?.type === "file" && values[f.name].length);
      let body;
      if (hasFiles) {
        body = new FormData();
        for (const f of form.fields) {
          const v = sent(f, values[f.name]);
          if (f.input?.type === "file") v.forEach((file) => body.append(f.name, file));
          else if (Array.isArray(v)) v.forEach((item) => body.append(f.name, item));
          else body.append(f.name, v === null ? "" : String(v));
        }
        body.append("_fillToken", form.fillToken);
        if (form.honeypot) body.append(form.honeypot, "");
      } else {
        body = { _fillToken: form.fillToken };
        for (const f of form.fields) if (f.input?.type !== "file") body[f.name] = sent(f, values[f.name]);
        if (form.honeypot) body[form.honeypot] = "";
      }
      const answer = await guest.send(`/api/forms/${encodeURIComponent(form.slug)}`, { method: "POST", body });
      // only web URLs: the API refuses others on save, and the page checks again before leaving
      if (answer.redirectUrl && /^https?:\/\//i.test(answer.redirectUrl)) {
        window.location.assign(answer.redirectUrl);
        return;
      }
      setDone(answer.message || "Thank you.");
    } catch (err) {
      setError(apiError(err)); // the answers stay as typed
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return <section className="public-form" aria-labelledby={titleId}><h1 id={titleId}>{form.name}</h1><p role="status" className="alert alert-info">{done}</p></section>;
  }
  return (
    <section className="public-form" aria-labelledby={titleId}>
      <h1 id={titleId}>{form.name}</h1>
      <form className="form" noValidate onSubmit={submit} aria-label={form.name}>
        <ErrorBanner error={error} />
        {form.fields.map((f) => (
          <FormInput key={f.name} field={f} value={values[f.name]} error={error?.fields[f.name]}
            onChange={(v) => setValues((all) => ({ ...all, [f.name]: v }))} />
        ))}
        {form.honeypot && (
          // a person never sees or fills it; a bot filling every input gives itself away
          <div className="visually-hidden" aria-hidden="true">
            <label>Leave empty<input name={form.honeypot} tabIndex={-1} autoComplete="off" defaultValue="" /></label>
          </div>
        )}
        {form.captcha && <p className="muted">This form asks for a {form.captcha.provider} check, which this page does not load.</p>}
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy || preview} aria-busy={busy || undefined}>
            {busy && <Spinner />}Submit
          </button>
          {preview && <span className="muted"> Preview: submitting is off here. Open the shareable link to try it.</span>}
        </div>
      </form>
    </section>
  );
}

function FormInput({ field, value, error, onChange }) {
  const id = useId();
  const type = field.input?.type || "text";
  const multiple = (field.input?.maxSelect || 1) > 1;
  const described = [field.help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const common = { id, name: field.name, required: field.required, "aria-describedby": described, "aria-invalid": error ? true : undefined };
  let control;
  if (type === "bool") {
    control = <input type="checkbox" {...common} checked={!!value} onChange={(e) => onChange(e.target.checked)} />;
  } else if (type === "select" && multiple) {
    control = (
      <select multiple {...common} value={value} onChange={(e) => onChange(Array.from(e.target.selectedOptions, (o) => o.value))}>
        {(field.input.values || []).map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
    );
  } else if (type === "select") {
    control = (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {(field.input.values || []).map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
    );
  } else if (type === "file") {
    control = <input type="file" {...common} multiple={multiple} accept={(field.input.mimeTypes || []).join(",") || undefined} onChange={(e) => onChange(Array.from(e.target.files))} />;
  } else if (type === "editor" || type === "json") {
    control = <textarea {...common} value={value} onChange={(e) => onChange(e.target.value)} />;
  } else {
    const inputType = { number: "number", email: "email", url: "url", date: "datetime-local" }[type] || "text";
    control = <input type={inputType} {...common} value={value} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className={`field ${type === "bool" ? "field-checkbox" : ""} ${error ? "field-invalid" : ""}`}>
      <label htmlFor={id}>{field.label || field.name}{field.required && <span aria-hidden="true"> *</span>}</label>
      {control}
      {field.help && <div className="field-help" id={`${id}-help`}>{field.help}</div>}
      {error && <div className="field-error" id={`${id}-error`}>{error}</div>}
    </div>
  );
}
