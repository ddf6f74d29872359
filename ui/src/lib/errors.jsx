// API error display: PocketBase's message on top, each per-field error next to its field.
import { createContext, useContext } from "react";

/** PocketBase's nested `data` ({fields: {"2": {name: {code, message}}}}) as dotted names: {"fields.2.name": msg}. */
function flatten(data, prefix, out) {
  for (const [key, value] of Object.entries(data || {})) {
    if (!value || typeof value !== "object") continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value.message === "string" && typeof value.code === "string") {
      out[name] = value.message;
    } else {
      flatten(value, name, out);
    }
  }
  return out;
}

/** {status, message, fields: {dotted name: message}} from a ClientResponseError (or any thrown value). */
export function apiError(err) {
  if (!err) return null;
  const body = err.response || err.data || {};
  const fields = flatten(body.data && typeof body.data === "object" ? body.data : {}, "", {});
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

/** Every error under a dotted prefix ("fields.2"), for a part of a form that shows them in one place. */
export function useFieldErrorsUnder(prefix) {
  const all = useContext(FieldErrors);
  return Object.entries(all).filter(([name]) => name === prefix || name.startsWith(prefix + "."));
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
