// Rate limits: on/off and the rules table (label, audience, max requests per duration), as PocketBase's.
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";
import { pb } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";
import { SettingsPage } from "./settingsForm.jsx";

const AUDIENCES = [["", "All"], ["@guest", "Guests only"], ["@auth", "Signed-in only"]];
const EMPTY_RULE = { label: "", audience: "", maxRequests: "", duration: "" };

function formValues(rateLimits) {
  return {
    enabled: !!rateLimits.enabled,
    rules: (rateLimits.rules || []).map((r) => ({ ...r, maxRequests: String(r.maxRequests), duration: String(r.duration) })),
    excludedIPs: (rateLimits.excludedIPs || []).join(", "),
  };
}

export function RateLimitsSettings() {
  return (
    <SettingsPage title="Rate limits"
                  intro="Each rule allows at most Max requests per Duration seconds for each client IP (or API token). Labels: a path prefix (/api/), collection:action (posts:create, *:auth) or METHOD path.">
      {(settings, setSettings) => <RateLimitsForm settings={settings} onSaved={setSettings} />}
    </SettingsPage>
  );
}

function RateLimitsForm({ settings, onSaved }) {
  const toasts = useToasts();
  const form = useForm(formValues(settings.rateLimits));
  const rules = form.values.rules;

  function setRule(index, key, value) {
    form.set("rules", rules.map((r, i) => (i === index ? { ...r, [key]: value } : r)));
  }

  async function save(values) {
    const number = (v) => (v === "" ? 0 : Number(v));
    const body = {
      rateLimits: {
        enabled: values.enabled,
        rules: values.rules.map((r) => ({ label: r.label, audience: r.audience, maxRequests: number(r.maxRequests), duration: number(r.duration) })),
        excludedIPs: values.excludedIPs.split(",").map((v) => v.trim()).filter(Boolean),
      },
    };
    const saved = await pb.settings.update(body);
    form.setValues(formValues(saved.rateLimits));
    onSaved(saved);
    toasts.success("Rate limits saved.");
  }

  return (
    <Form form={form} onSubmit={save} aria-label="Rate limits settings">
      <Field form={form} name="enabled" label="Enable rate limiting" type="checkbox" />
      <table className="table input-table">
        <caption className="visually-hidden">Rate limit rules</caption>
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">Audience</th>
            <th scope="col">Max requests</th>
            <th scope="col">Duration (s)</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule, i) => (
            <tr key={i}>
              <td>
                <Field form={form} name={`rateLimits.rules.${i}.label`} label={`Rule ${i + 1} label`}>
                  {(props) => <input {...props} className="mono" value={rule.label} onChange={(e) => setRule(i, "label", e.target.value)} />}
                </Field>
              </td>
              <td>
                <Field form={form} name={`rateLimits.rules.${i}.audience`} label={`Rule ${i + 1} audience`}>
                  {(props) => (
                    <select {...props} value={rule.audience} onChange={(e) => setRule(i, "audience", e.target.value)}>
                      {AUDIENCES.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
                    </select>
                  )}
                </Field>
              </td>
              <td>
                <Field form={form} name={`rateLimits.rules.${i}.maxRequests`} label={`Rule ${i + 1} max requests`}>
                  {(props) => <input {...props} type="number" min="0" value={rule.maxRequests} onChange={(e) => setRule(i, "maxRequests", e.target.value)} />}
                </Field>
              </td>
              <td>
                <Field form={form} name={`rateLimits.rules.${i}.duration`} label={`Rule ${i + 1} duration`}>
                  {(props) => <input {...props} type="number" min="0" value={rule.duration} onChange={(e) => setRule(i, "duration", e.target.value)} />}
                </Field>
              </td>
              <td className="actions">
                <button type="button" className="btn btn-secondary btn-sm" aria-label={`Remove rule ${i + 1}`}
                        onClick={() => form.set("rules", rules.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => form.set("rules", [...rules, { ...EMPTY_RULE }])}>
          + Add rule
        </button>
      </div>
      <Field form={form} name="rateLimits.excludedIPs" label="Excluded IPs and subnets (comma-separated)">
        {(props) => <input {...props} value={form.values.excludedIPs} onChange={(e) => form.set("excludedIPs", e.target.value)} />}
      </Field>
      <div className="form-actions">
        <SubmitButton form={form}>Save changes</SubmitButton>
      </div>
    </Form>
  );
}
