// One webhook: its form (create at /webhooks/new, edit otherwise), its actions (send a test, rotate the secret,
// delete) and its delivery log.
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { ConfirmDialog, Modal } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Field, Form, Spinner, SubmitButton, useForm } from "../../lib/forms.jsx";
import { formatApiDate } from "../../lib/dates.js";
import { pb } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";
import { DeliveriesLog } from "./DeliveriesLog.jsx";
import { useWebhooks, WEBHOOKS } from "./WebhooksLayout.jsx";

export function WebhookScreen() {
  const { id } = useParams();
  const { byId, loading } = useWebhooks();
  if (id === "new") return <WebhookEditor key="new" webhook={null} />;
  const webhook = byId(id);
  if (!webhook) return loading ? <Spinner label="Loading webhook" /> : <p role="alert">No webhook with id {id}.</p>;
  return <WebhookEditor key={id} webhook={webhook} />;
}

function initialValues(webhook) {
  return {
    url: webhook?.url || "",
    events: (webhook?.events || ["*"]).join(", "),
    filter: webhook?.filter || "",
    headers: webhook?.headers && Object.keys(webhook.headers).length ? JSON.stringify(webhook.headers, null, 2) : "",
    enabled: webhook ? !!webhook.enabled : true,
    description: webhook?.description || "",
  };
}

/** A field error thrown before any request, in the SDK's error shape so the form shows it next to its field. */
function fieldProblem(field, message) {
  return { status: 400, response: { message: "Please fix the highlighted field.", data: { [field]: { code: "invalid", message } } } };
}

/** The form's values as the `_webhooks` record body; headers must be a JSON object of texts. */
function recordBody(values) {
  let headers = {};
  if (values.headers.trim()) {
    try {
      headers = JSON.parse(values.headers);
    } catch {
      throw fieldProblem("headers", "Not valid JSON: write an object such as {\"X-Team\": \"ops\"}.");
    }
    if (!headers || typeof headers !== "object" || Array.isArray(headers)) {
      throw fieldProblem("headers", "Must be a JSON object of header names and values.");
    }
  }
  return {
    url: values.url.trim(),
    events: values.events.split(/[\s,]+/).filter(Boolean),
    filter: values.filter.trim(),
    headers,
    enabled: values.enabled,
    description: values.description.trim(),
  };
}

function WebhookEditor({ webhook }) {
  const { reload, reveal } = useWebhooks();
  const toasts = useToasts();
  const navigate = useNavigate();
  const form = useForm(initialValues(webhook));
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [actionError, setActionError] = useState(null);

  async function save(values) {
    const body = recordBody(values);
    if (!webhook) {
      const created = await pb.collection(WEBHOOKS).create(body);
      await reload();
      reveal({ secret: created.secret, title: "Webhook created: its signing secret" });
      navigate(`/webhooks/${created.id}`);
    } else {
      await pb.collection(WEBHOOKS).update(webhook.id, body);
      await reload();
      toasts.success("Webhook saved.");
    }
  }

  async function sendTest() {
    setActionError(null);
    try {
      await pb.send(`/api/webhooks/${encodeURIComponent(webhook.id)}/test`, { method: "POST" });
      toasts.success("Test event queued: it appears in the delivery log below.");
    } catch (err) {
      setActionError(apiError(err));
    }
  }

  async function remove() {
    setActionError(null);
    try {
      await pb.collection(WEBHOOKS).delete(webhook.id);
      setConfirmDelete(false);
      await reload();
      toasts.success("Webhook deleted.");
      navigate("/webhooks");
    } catch (err) {
      setConfirmDelete(false);
      setActionError(apiError(err));
    }
  }

  return (
    <>
      <header className="page-header">
        <h1>{webhook ? webhook.description || webhook.url : "New webhook"}</h1>
        {webhook && (
          <div className="toolbar">
            <button type="button" className="btn btn-secondary btn-sm" onClick={sendTest}>
              Send test
            </button>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setRotating(true)}>
              Rotate secret
            </button>
            <button type="button" className="btn btn-danger btn-sm" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          </div>
        )}
      </header>
      <ErrorBanner error={actionError} />
      {webhook && !webhook.enabled && webhook.disabledReason && (
        <div className="alert alert-danger">Disabled by deliveries: {webhook.disabledReason}</div>
      )}
      {webhook?.failingSince && <p className="text-danger">Failing since {formatApiDate(webhook.failingSince)}.</p>}
      <Form form={form} onSubmit={save} aria-label={webhook ? "Edit webhook" : "New webhook"} className="webhook-form">
        <div className="span-2 form-column">
          <Field form={form} name="url" label="Endpoint URL" type="url" placeholder="https://example.com/hooks/lambdabase" required />
        </div>
        <Field
          form={form}
          name="events"
          label="Events"
          help="Patterns, separated by commas: posts.* (every record event of posts), *.deleted, record.*, auth.signin, * for everything."
        />
        <Field form={form} name="filter" label="Filter" help='Optional, on the record of a record event: status = "published" && total > 10.' />
        <Field form={form} name="headers" label="Extra headers" type="textarea" rows={3} help='Optional JSON object, e.g. {"X-Team": "ops"}.' />
        <div className="form-column">
          <Field form={form} name="description" label="Description" />
          <Field form={form} name="enabled" label="Enabled" type="checkbox" />
        </div>
        <div className="span-2">
          <SubmitButton form={form}>{webhook ? "Save changes" : "Create webhook"}</SubmitButton>
        </div>
      </Form>
      {webhook && <DeliveriesLog webhookId={webhook.id} />}
      <ConfirmDialog
        open={confirmDelete}
        title="Delete webhook"
        message={`Delete the webhook to ${webhook?.url}? Its pending deliveries are skipped.`}
        confirmLabel="Delete"
        onConfirm={remove}
        onCancel={() => setConfirmDelete(false)}
      />
      {webhook && <RotateDialog open={rotating} webhook={webhook} onClose={() => setRotating(false)} onRotated={reveal} />}
    </>
  );
}

function RotateDialog({ open, webhook, onClose, onRotated }) {
  const form = useForm({ overlap: "" });
  async function rotate(values) {
    const body = values.overlap === "" ? {} : { overlap: Number(values.overlap) };
    const result = await pb.send(`/api/webhooks/${encodeURIComponent(webhook.id)}/rotate-secret`, { method: "POST", body });
    onClose();
    onRotated({ secret: result.secret, previousValidUntil: result.previousValidUntil, title: "New signing secret" });
  }
  return (
    <Modal open={open} title="Rotate the signing secret" onClose={onClose}>
      <Form form={form} onSubmit={rotate} aria-label="Rotate secret">
        <p>A new secret signs every delivery from now on. Until the overlap ends, deliveries carry both signatures, so your receiver can switch at its own pace.</p>
        <Field form={form} name="overlap" label="Overlap (seconds)" type="number" min="0" help="Empty: the app's default (24 hours). 0: the old secret stops at once." />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <SubmitButton form={form}>Rotate</SubmitButton>
        </div>
      </Form>
    </Modal>
  );
}
