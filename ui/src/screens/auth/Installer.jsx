// First run: the one-time link `make run` prints creates the first superuser with its single-purpose token.
import { useNavigate, useParams } from "react-router";
import { pb, SUPERUSERS } from "../../lib/pb.js";
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";

export function Installer() {
  const { token } = useParams();
  const navigate = useNavigate();
  const toasts = useToasts();
  const form = useForm({ email: "", password: "", passwordConfirm: "" });

  async function install({ email, password, passwordConfirm }) {
    // The install token may only create a superuser (docs/ui.md#first-run); the API refuses anything else with it.
    await pb.collection(SUPERUSERS).create(
      { email, password, passwordConfirm },
      { headers: { Authorization: token } },
    );
    await pb.collection(SUPERUSERS).authWithPassword(email, password);
    toasts.success("Superuser created. Welcome!");
    navigate("/collections", { replace: true });
  }

  return (
    <main className="auth-page">
      <div className="auth-panel">
        <h1 className="brand-title">Lambdabase</h1>
        <Form form={form} onSubmit={install} aria-label="Create the first superuser">
          <h2>Create your first superuser</h2>
          <p className="muted">This link works once, for a limited time, and only while no superuser exists.</p>
          <Field form={form} name="email" label="Email" type="email" autoComplete="username" required autoFocus />
          <Field form={form} name="password" label="Password" type="password" autoComplete="new-password" required help="At least 8 characters." />
          <Field form={form} name="passwordConfirm" label="Password confirm" type="password" autoComplete="new-password" required />
          <SubmitButton form={form}>Create superuser and sign in</SubmitButton>
        </Form>
      </div>
    </main>
  );
}
