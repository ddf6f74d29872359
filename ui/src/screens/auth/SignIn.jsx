// Superuser sign-in: password first; when the API answers 401 {mfaId}, a second factor (authenticator app or email code).
import { useEffect, useState } from "react";
import { pb, SUPERUSERS } from "../../lib/pb.js";
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";

export function SignIn() {
  const [mfa, setMfa] = useState(null); // {mfaId, email} once the password was right and MFA is required
  return (
    <main className="auth-page">
      <div className="auth-panel">
        <h1 className="brand-title">Lambdabase</h1>
        {mfa ? <SecondFactor mfa={mfa} onRestart={() => setMfa(null)} /> : <PasswordStep onMfa={setMfa} />}
      </div>
    </main>
  );
}

function PasswordStep({ onMfa }) {
  const form = useForm({ email: "", password: "" });
  async function signIn({ email, password }) {
    try {
      await pb.collection(SUPERUSERS).authWithPassword(email, password);
    } catch (err) {
      if (err?.status === 401 && err.response?.mfaId) {
        onMfa({ mfaId: err.response.mfaId, email });
        return;
      }
      throw err;
    }
  }
  return (
    <Form form={form} onSubmit={signIn} aria-label="Superuser sign-in">
      <h2>Superuser sign in</h2>
      <Field form={form} name="email" label="Email" type="email" autoComplete="username" required autoFocus />
      <Field form={form} name="password" label="Password" type="password" autoComplete="current-password" required />
      <SubmitButton form={form}>Sign in</SubmitButton>
    </Form>
  );
}

function SecondFactor({ mfa, onRestart }) {
  const [method, setMethod] = useState("totp");
  const [otpId, setOtpId] = useState("");
  const [otpEnabled, setOtpEnabled] = useState(false);
  const form = useForm({ code: "" });

  useEffect(() => {
    pb.collection(SUPERUSERS)
      .listAuthMethods()
      .then((methods) => setOtpEnabled(!!methods?.otp?.enabled))
      .catch(() => setOtpEnabled(false));
  }, []);

  async function sendEmailCode() {
    await form.submit(async () => {
      const answer = await pb.collection(SUPERUSERS).requestOTP(mfa.email);
      setOtpId(answer.otpId);
      setMethod("otp");
    });
  }

  async function verify({ code }) {
    if (method === "otp") {
      await pb.collection(SUPERUSERS).authWithOTP(otpId, code.trim(), { mfaId: mfa.mfaId });
      return;
    }
    // Lambdabase's TOTP step (docs/api-auth.md): completes the MFA session with an authenticator or recovery code
    const answer = await pb.send(`/api/collections/${SUPERUSERS}/auth-with-totp`, {
      method: "POST",
      body: { mfaId: mfa.mfaId, code: code.trim() },
    });
    pb.authStore.save(answer.token, answer.record);
  }

  return (
    <Form form={form} onSubmit={verify} aria-label="Second factor">
      <h2>Second factor</h2>
      <p className="muted">
        {method === "otp"
          ? `Enter the code mailed to ${mfa.email}.`
          : "Enter the code from your authenticator app, or a recovery code."}
      </p>
      <Field form={form} name="code" label={method === "otp" ? "Email code" : "Authentication code"} autoComplete="one-time-code" inputMode="text" required autoFocus />
      <SubmitButton form={form}>Verify</SubmitButton>
      <div className="auth-links">
        {method === "totp" && otpEnabled && (
          <button type="button" className="btn btn-link" onClick={sendEmailCode}>
            Email me a code instead
          </button>
        )}
        {method === "otp" && (
          <button type="button" className="btn btn-link" onClick={() => setMethod("totp")}>
            Use an authenticator app instead
          </button>
        )}
        <button type="button" className="btn btn-link" onClick={onRestart}>
          Back to sign in
        </button>
      </div>
    </Form>
  );
}
