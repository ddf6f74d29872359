// Mail settings: the sender, SMTP (kept as PocketBase keeps it; mail goes through SES), and a test email.
import { useState } from "react";
import { useCollections } from "../../lib/collections.jsx";
import { Modal } from "../../lib/dialog.jsx";
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";
import { pb, SUPERUSERS } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";
import { SettingsForm, SettingsPage } from "./settingsForm.jsx";

const GROUPS = [
  {
    legend: "Sender",
    specs: [
      { path: "meta.senderName", label: "Sender name" },
      { path: "meta.senderAddress", label: "Sender address", type: "email", help: "Must be a verified SES identity of the deployment." },
    ],
  },
  {
    legend: "SMTP server",
    help: "Lambdabase sends mail through SES; these settings are validated and kept as PocketBase keeps them, for a deployment that sends through SMTP.",
    specs: [
      { path: "smtp.enabled", label: "Use an SMTP server", type: "checkbox" },
      { path: "smtp.host", label: "Host" },
      { path: "smtp.port", label: "Port", type: "number" },
      { path: "smtp.username", label: "Username" },
      { path: "smtp.password", label: "Password", type: "secret" },
      { path: "smtp.authMethod", label: "Auth method", type: "select", options: [["", "Default (PLAIN)"], ["PLAIN", "PLAIN"], ["LOGIN", "LOGIN"]] },
      { path: "smtp.tls", label: "Always use TLS", type: "checkbox" },
      { path: "smtp.localName", label: "HELO domain (optional)" },
    ],
  },
];

const TEMPLATES = [
  ["verification", "Verification"],
  ["password-reset", "Password reset"],
  ["email-change", "Confirm email change"],
  ["otp", "One-time password"],
  ["login-alert", "Login from a new location"],
];

export function MailSettings() {
  const [testing, setTesting] = useState(false);
  return (
    <SettingsPage title="Mail">
      {(settings, setSettings) => (
        <>
          <SettingsForm label="Mail settings" settings={settings} groups={GROUPS} onSaved={setSettings}
                        extra={() => (
                          <div className="row-actions">
                            <button type="button" className="btn btn-secondary" onClick={() => setTesting(true)}>Send a test email</button>
                          </div>
                        )} />
          <TestEmailDialog open={testing} onClose={() => setTesting(false)} />
        </>
      )}
    </SettingsPage>
  );
}

function TestEmailDialog({ open, onClose }) {
  const toasts = useToasts();
  const { list } = useCollections();
  const auth = list.filter((c) => c.type === "auth");
  const form = useForm({ email: "", template: "verification", collection: SUPERUSERS });

  async function send(values) {
    await pb.settings.testEmail(values.collection, values.email, values.template);
    toasts.success(`Test email sent to ${values.email}.`);
    onClose();
  }

  return (
    <Modal open={open} title="Send a test email" onClose={onClose}>
      <Form form={form} onSubmit={send} aria-label="Send a test email">
        <Field form={form} name="template" label="Template">
          {(props) => (
            <select {...props} value={form.values.template} onChange={(e) => form.set("template", e.target.value)}>
              {TEMPLATES.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
            </select>
          )}
        </Field>
        <Field form={form} name="collection" label="Auth collection" help="Whose template is sent.">
          {(props) => (
            <select {...props} value={form.values.collection} onChange={(e) => form.set("collection", e.target.value)}>
              {auth.map((c) => <option key={c.id} value={c.name}>{c.name}</option>)}
            </select>
          )}
        </Field>
        <Field form={form} name="email" label="To address" type="email" autoComplete="email" />
        <div className="row-actions">
          <SubmitButton form={form}>Send</SubmitButton>
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
        </div>
      </Form>
    </Modal>
  );
}
