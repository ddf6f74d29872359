// Impersonation: a static, non-refreshable auth token of the user for a chosen time, shown with a copy button.
import { useState } from "react";
import { CopyButton } from "../../lib/clipboard.jsx";
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";
import { pb } from "../../lib/pb.js";
import { formatDuration, jwtExpiry } from "../../lib/timeFormat.js";

export function ImpersonateSection({ collection, record }) {
  const form = useForm({ duration: "" });
  const [issued, setIssued] = useState(null);
  const defaultDuration = collection.authToken?.duration || 0;

  async function impersonate(values) {
    const duration = values.duration === "" ? 0 : Number(values.duration);
    // straight through pb.send: the SDK's impersonate() builds a second client, and the dashboard needs only the token
    const answer = await pb.send(
      `/api/collections/${encodeURIComponent(collection.name)}/impersonate/${encodeURIComponent(record.id)}`,
      { method: "POST", body: { duration } },
    );
    setIssued({ token: answer.token, expires: jwtExpiry(answer.token), duration: duration || defaultDuration });
  }

  return (
    <section aria-labelledby="user-impersonate">
      <h3 id="user-impersonate">Impersonate</h3>
      <Form form={form} onSubmit={impersonate} aria-label="Impersonate">
        <Field form={form} name="duration" label="Duration in seconds" type="number" min="0" inputMode="numeric"
               help={`0 or empty: the collection's auth token duration (${formatDuration(defaultDuration)}). The token cannot be refreshed and belongs to no session.`} />
        <SubmitButton form={form} className="btn btn-secondary">Get a token</SubmitButton>
      </Form>
      {issued && (
        <div className="field" role="group" aria-label="Impersonation token">
          <label htmlFor="impersonation-token">Token of {record.email || record.id}</label>
          <div className="secret-box">
            <textarea id="impersonation-token" readOnly value={issued.token} aria-describedby="impersonation-expiry" />
            <CopyButton text={issued.token} label="Copy token" />
          </div>
          <div id="impersonation-expiry" className="field-help">
            Valid for {formatDuration(issued.duration)}
            {issued.expires && <>, until {issued.expires.toISOString().replace("T", " ").slice(0, 19)} UTC</>}.
          </div>
        </div>
      )}
    </section>
  );
}
