// A form view: edit its definition (fields, labels, help, required, hidden values, success, enabled, slug), share
// its public link, and preview it as a guest sees it (GET /api/forms/{slug}).
import { useId, useState } from "react";
import { pb } from "../../lib/pb.js";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { askableFields, defaultFormDefinition } from "./formDefinition.js";
import { PublicForm } from "./PublicForm.jsx";
import { VIEWS, viewsChanged } from "./useViews.js";

/** The shareable address of a form: the dashboard's guest page, which renders and submits it without auth. */
export function formLink(slug) {
  return `${window.location.origin}/_/#/forms/${slug}`;
}

function draftOf(view, collection) {
  const form = view.options?.form || defaultFormDefinition(collection);
  const asked = Object.fromEntries((form.fields || []).map((f) => [f.name, f]));
  return {
    slug: view.slug || "",
    fields: askableFields(collection).map((f) => ({
      name: f.name,
      on: f.name in asked,
      label: asked[f.name]?.label ?? f.name,
      help: asked[f.name]?.help ?? "",
      required: !!asked[f.name]?.required,
    })),
    hidden: (form.hidden || []).map((h) => ({ name: h.name, value: typeof h.value === "string" ? h.value : JSON.stringify(h.value) })),
    successMessage: form.successMessage || "",
    redirectUrl: form.redirectUrl || "",
    enabled: form.enabled !== false,
    rest: { spam: form.spam, rateLimit: form.rateLimit },
  };
}

function definitionOf(draft) {
  const form = {
    fields: draft.fields.filter((f) => f.on).map(({ name, label, help, required }) => ({ name, label, help, required })),
    hidden: draft.hidden.filter((h) => h.name).map(({ name, value }) => ({ name, value })),
    successMessage: draft.successMessage,
    redirectUrl: draft.redirectUrl,
    enabled: draft.enabled,
  };
  for (const [key, value] of Object.entries(draft.rest)) if (value !== undefined) form[key] = value;
  return form;
}

export function FormViewEditor({ collection, view }) {
  const [draft, setDraft] = useState(() => draftOf(view, collection));
  const [saved, setSaved] = useState({ slug: view.slug, enabled: view.options?.form?.enabled !== false });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  const toasts = useToasts();
  const ids = { slug: useId(), success: useId(), redirect: useId(), enabled: useId(), link: useId() };
  const set = (patch) => setDraft((d) => ({ ...d, ...patch }));
  const setField = (i, patch) => setDraft((d) => ({ ...d, fields: d.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)) }));
  const setHidden = (i, patch) => setDraft((d) => ({ ...d, hidden: d.hidden.map((h, j) => (j === i ? { ...h, ...patch } : h)) }));

  async function save(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const form = definitionOf(draft);
      const updated = await pb.collection(VIEWS).update(view.id, { slug: draft.slug, options: { ...(view.options || {}), form } });
      setSaved({ slug: updated.slug, enabled: form.enabled });
      setGeneration((g) => g + 1);
      toasts.success("Form saved.");
      viewsChanged();
    } catch (err) {
      setError(apiError(err)); // the definition stays as edited
    } finally {
      setBusy(false);
    }
  }

  const link = saved.slug ? formLink(saved.slug) : "";
  const optionsError = error?.fields.options;
  const slugError = error?.fields.slug;
  return (
    <div className="form-view">
      <form className="form form-editor" noValidate onSubmit={save} aria-label="Form definition">
        <ErrorBanner error={error} />
        {optionsError && <div className="field-error" id={`${ids.slug}-options`}>{optionsError}</div>}
        <div className={`field ${slugError ? "field-invalid" : ""}`}>
          <label htmlFor={ids.slug}>Public address (slug)</label>
          <input id={ids.slug} value={draft.slug} onChange={(e) => set({ slug: e.target.value })} aria-invalid={slugError ? true : undefined}
            aria-describedby={slugError ? `${ids.slug}-error` : undefined} className="mono" />
          {slugError && <div className="field-error" id={`${ids.slug}-error`}>{slugError}</div>}
        </div>
        <div className="field field-checkbox">
          <input id={ids.enabled} type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          <label htmlFor={ids.enabled}>Enabled (a disabled form answers 404)</label>
        </div>
        <fieldset className="form-fields">
          <legend>Fields the form asks for</legend>
          <table className="form-fields-table">
            <thead><tr><th scope="col">Ask</th><th scope="col">Field</th><th scope="col">Label</th><th scope="col">Help</th><th scope="col">Required</th></tr></thead>
            <tbody>
              {draft.fields.map((f, i) => (
                <tr key={f.name}>
                  <td><input type="checkbox" aria-label={`Ask for ${f.name}`} checked={f.on} onChange={(e) => setField(i, { on: e.target.checked })} /></td>
                  <td className="mono">{f.name}</td>
                  <td><input aria-label={`Label of ${f.name}`} value={f.label} disabled={!f.on} onChange={(e) => setField(i, { label: e.target.value })} /></td>
                  <td><input aria-label={`Help of ${f.name}`} value={f.help} disabled={!f.on} onChange={(e) => setField(i, { help: e.target.value })} /></td>
                  <td><input type="checkbox" aria-label={`${f.name} required`} checked={f.required} disabled={!f.on} onChange={(e) => setField(i, { required: e.target.checked })} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </fieldset>
        <fieldset className="form-hidden">
          <legend>Hidden values (set by the server on every submission, never sent to the browser)</legend>
          {draft.hidden.map((h, i) => (
            <div key={i} className="hidden-row">
              <select aria-label={`Hidden value ${i + 1} field`} value={h.name} onChange={(e) => setHidden(i, { name: e.target.value })}>
                <option value="">Choose a field</option>
                {draft.fields.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
              </select>
              <input aria-label={`Hidden value ${i + 1} value`} value={h.value} onChange={(e) => setHidden(i, { value: e.target.value })} />
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => set({ hidden: draft.hidden.filter((_, j) => j !== i) })}>Remove hidden value {i + 1}</button>
            </div>
          ))}
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => set({ hidden: [...draft.hidden, { name: "", value: "" }] })}>+ Hidden value</button>
        </fieldset>
        <div className="field">
          <label htmlFor={ids.success}>Success message</label>
          <input id={ids.success} value={draft.successMessage} onChange={(e) => set({ successMessage: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.redirect}>Redirect after submitting (an http(s) URL; empty: show the message)</label>
          <input id={ids.redirect} type="url" value={draft.redirectUrl} onChange={(e) => set({ redirectUrl: e.target.value })} />
        </div>
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy || undefined}>{busy && <Spinner />}Save form</button>
        </div>
      </form>
      <section className="form-share" aria-label="Share and preview">
        <h3>Shareable link</h3>
        {link && saved.enabled ? (
          <div className="share-row">
            <label htmlFor={ids.link} className="visually-hidden">Shareable link</label>
            <input id={ids.link} readOnly value={link} className="mono" onFocus={(e) => e.target.select()} />
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => navigator.clipboard?.writeText(link).then(() => toasts.info("Link copied."), () => {})}>Copy link</button>
            <a href={link} target="_blank" rel="noreferrer">Open form</a>
          </div>
        ) : (
          <p className="muted">{link ? "The form is disabled: its link answers 404." : "Give the form a slug and save it to publish it."}</p>
        )}
        <h3>Live preview</h3>
        {link && saved.enabled ? <div className="form-preview"><PublicForm slug={saved.slug} preview generation={generation} /></div>
          : <p className="muted">No preview until the form is published.</p>}
      </section>
    </div>
  );
}
