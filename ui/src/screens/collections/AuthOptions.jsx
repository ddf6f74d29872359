// The options of an auth collection, as PocketBase's "Options" tab: password auth and its identity fields, OTP,
// MFA, the new-device alert and each token's lifetime. OAuth2 providers live in Settings (area `settings`).
import { useId } from "react";
import { useFieldError } from "../../lib/errors.jsx";

const TOKENS = [
  { key: "authToken", label: "Auth token" },
  { key: "verificationToken", label: "Verification token" },
  { key: "passwordResetToken", label: "Password reset token" },
  { key: "emailChangeToken", label: "Email change token" },
  { key: "fileToken", label: "Protected file access token" },
];

function Option({ path, label, kind = "text", value, onChange, help }) {
  const id = useId();
  const error = useFieldError(path);
  const described = error ? `${id}-error` : help ? `${id}-help` : undefined;
  const common = { id, "aria-invalid": error ? true : undefined, "aria-describedby": described };
  const control =
    kind === "bool" ? (
      <input type="checkbox" {...common} checked={!!value} onChange={(e) => onChange(e.target.checked)} />
    ) : kind === "number" ? (
      <input type="number" min={0} {...common} value={value ?? ""} onChange={(e) => onChange(e.target.value === "" ? 0 : Number(e.target.value))} />
    ) : (
      <input type="text" {...common} value={value ?? ""} onChange={(e) => onChange(e.target.value)} />
    );
  return (
    <div className={`field ${kind === "bool" ? "field-checkbox" : ""} ${error ? "field-invalid" : ""}`}>
      {kind === "bool" ? <>{control}<label htmlFor={id}>{label}</label></> : <><label htmlFor={id}>{label}</label>{control}</>}
      {help && !error && <div className="field-help" id={`${id}-help`}>{help}</div>}
      {error && <div className="field-error" id={`${id}-error`}>{error}</div>}
    </div>
  );
}

export function AuthOptions({ draft, setDraft }) {
  const set = (group, key, value) => setDraft({ ...draft, [group]: { ...(draft[group] || {}), [key]: value } });
  const get = (group, key) => draft[group]?.[key];
  const identity = (get("passwordAuth", "identityFields") || []).join(", ");
  return (
    <section aria-labelledby="auth-options-heading">
      <h2 id="auth-options-heading">Auth options</h2>
      <div className="options-grid">
        <fieldset>
          <legend>Password</legend>
          <Option path="passwordAuth.enabled" label="Sign in with a password" kind="bool" value={get("passwordAuth", "enabled")} onChange={(v) => set("passwordAuth", "enabled", v)} />
          <Option path="passwordAuth.identityFields" label="Identity fields" value={identity} help="Unique fields a user may sign in with, comma-separated (e.g. email, username)."
            onChange={(v) => set("passwordAuth", "identityFields", v.split(",").map((s) => s.trim()).filter(Boolean))} />
        </fieldset>
        <fieldset>
          <legend>One-time password (email)</legend>
          <Option path="otp.enabled" label="Sign in with an emailed code" kind="bool" value={get("otp", "enabled")} onChange={(v) => set("otp", "enabled", v)} />
          <Option path="otp.duration" label="Code lifetime (seconds)" kind="number" value={get("otp", "duration")} onChange={(v) => set("otp", "duration", v)} />
          <Option path="otp.length" label="Code length" kind="number" value={get("otp", "length")} onChange={(v) => set("otp", "length", v)} />
        </fieldset>
        <fieldset>
          <legend>Multi-factor authentication</legend>
          <Option path="mfa.enabled" label="Require a second method" kind="bool" value={get("mfa", "enabled")} onChange={(v) => set("mfa", "enabled", v)} />
          <Option path="mfa.duration" label="MFA session lifetime (seconds)" kind="number" value={get("mfa", "duration")} onChange={(v) => set("mfa", "duration", v)} />
          <Option path="mfa.rule" label="Only for records matching" value={get("mfa", "rule")} help="A filter; empty means every record." onChange={(v) => set("mfa", "rule", v)} />
        </fieldset>
        <fieldset>
          <legend>New device alert</legend>
          <Option path="authAlert.enabled" label="Mail on a sign-in from a new location" kind="bool" value={get("authAlert", "enabled")} onChange={(v) => set("authAlert", "enabled", v)} />
        </fieldset>
        <fieldset>
          <legend>Token lifetimes (seconds)</legend>
          {TOKENS.map((t) => (
            <Option key={t.key} path={`${t.key}.duration`} label={t.label} kind="number" value={get(t.key, "duration")} onChange={(v) => set(t.key, "duration", v)} />
          ))}
        </fieldset>
      </div>
    </section>
  );
}
