// API error display: PocketBase's message on top, each per-field error next to its field.
import { createContext, useContext } from "react";

/** {message, fields: {name: message}} from a ClientResponseError (or any thrown value). */
export function apiError(err) {
  if (!err) return null;
  const body = err.response || err.data || {};
  const fields = {};
  const data = body.data && typeof body.data === "object" ? body.data : {};
  for (const [name, value] of Object.entries(data)) {
    if (value && typeof value === "object" && typeof value.message === "string") {
      fields[name] = value.message;
    }
  }
  const message = body.message || err.message || "Something went wrong.";
  return { status: err.status || body.status || 0, message, fields };
}

const FieldErrors = createContext({});

/** Makes `fields` (name → message) visible to every <Field> inside. */
export function FieldErrorsProvider({ error, children }) {
  return <FieldErrors.Provider value={error?.fields || {}}>{children}</FieldErrors.Provider>;
}

export function useFieldError(name) {
  return useContext(FieldErrors)[name];
}

/** The error banner of a form; role=alert so screen readers announce it. */
export function ErrorBanner({ error }) {
  if (!error) return null;
  return (
    <div className="alert alert-danger" role="alert">
      {error.message}
    </div>
  );
}
