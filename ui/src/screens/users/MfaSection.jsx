// A user's second factor: TOTP state, and a superuser's reset for a user who lost both the app and the codes.
import { useState } from "react";
import { ConfirmDialog } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Field, Form, Spinner, SubmitButton, useForm } from "../../lib/forms.jsx";
import { pb } from "../../lib/pb.js";
import { useToasts } from "../../lib/toasts.jsx";
import { formatDate } from "../../lib/timeFormat.js";
import { recordSend, useRecordResource } from "./recordApi.js";

export function MfaSection({ collection, record }) {
  const toasts = useToasts();
  const { data: totp, error, setError, reload: load } = useRecordResource(collection, record, "totp");
  const [confirm, setConfirm] = useState("");
  // the API lets a superuser reset another record's TOTP without a code, never their own (a stolen session
  // alone must not strip the factor): their own reset needs a current or recovery code
  const own = pb.authStore.record?.id === record.id && pb.authStore.record?.collectionId === collection.id;
  const codeForm = useForm({ code: "" });

  async function reset(body = {}) {
    await recordSend(collection, record, "totp/disable", { method: "POST", body });
    toasts.success("TOTP reset: the next sign-in needs no authenticator code.");
    setConfirm("");
    await load();
  }

  async function forgetDevices() {
    try {
      await recordSend(collection, record, "totp/devices", { method: "DELETE" });
      toasts.success("Remembered devices forgotten.");
      setConfirm("");
      await load();
    } catch (err) {
      setConfirm("");
      setError(apiError(err));
    }
  }

  const collectionMfa = collection.mfa?.enabled;
  return (
    <section aria-labelledby="user-mfa">
      <h3 id="user-mfa">Multi-factor authentication</h3>
      <p className="muted">
        Collection MFA (two sign-in methods) is {collectionMfa ? "on" : "off"} for {collection.name}.
      </p>
      <ErrorBanner error={error} />
      {!totp && !error && <Spinner label="Loading MFA state" />}
      {totp && (
        <>
          <p>
            Authenticator app (TOTP):{" "}
            {totp.enabled ? <span className="pill pill-yes">on</span> : <span className="pill pill-no">off</span>}
            {totp.enabled && (
              <span className="muted">
                {" "}since {formatDate(totp.enabledAt)} · {totp.recoveryCodesLeft} recovery codes left · {totp.rememberedDevices} remembered devices
              </span>
            )}
            {!totp.enabled && totp.pending && <span className="muted"> (an enrolment is pending)</span>}
          </p>
          {totp.enabled && !own && (
            <div className="row-actions">
              <button type="button" className="btn btn-danger btn-sm" onClick={() => setConfirm("reset")}>Reset TOTP</button>
              {totp.rememberedDevices > 0 && (
                <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirm("devices")}>Forget remembered devices</button>
              )}
            </div>
          )}
          {totp.enabled && own && (
            <Form form={codeForm} onSubmit={(v) => reset({ code: v.code })} aria-label="Turn off your TOTP">
              <Field form={codeForm} name="code" label="Your current code or a recovery code" autoComplete="one-time-code" />
              <SubmitButton form={codeForm} className="btn btn-danger">Turn off TOTP</SubmitButton>
            </Form>
          )}
        </>
      )}
      <ConfirmDialog open={confirm === "reset"} title="Reset TOTP" confirmLabel="Reset TOTP"
                     message={`Turn off ${record.email || record.id}'s authenticator app, recovery codes and remembered devices? They can enrol again after signing in.`}
                     onConfirm={() => reset().catch((err) => { setConfirm(""); setError(apiError(err)); })}
                     onCancel={() => setConfirm("")} />
      <ConfirmDialog open={confirm === "devices"} title="Forget remembered devices" confirmLabel="Forget devices" danger={false}
                     message="Every remembered device asks for the authenticator code again at its next sign-in."
                     onConfirm={forgetDevices} onCancel={() => setConfirm("")} />
    </section>
  );
}
