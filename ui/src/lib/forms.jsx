// Forms that keep what was typed when a save fails, and labelled fields that show their own API error.
import { useId, useState } from "react";
import { apiError, ErrorBanner, FieldErrorsProvider, useFieldError } from "./errors.jsx";

/**
 * A form state: `values`, `set(name, value)`, `submit(fn)` running fn(values), `error` of the last failure.
 * Values are never reset on failure: the user fixes the field the API named and submits again.
 */
export function useForm(initial) {
  const [values, setValues] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  function set(name, value) {
    setValues((v) => ({ ...v, [name]: value }));
  }

  async function submit(fn) {
    if (busy) return undefined;
    setBusy(true);
    setError(null);
    try {
      return await fn(values);
    } catch (err) {
      setError(apiError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  return { values, setValues, set, submit, error, setError, busy };
}

/** A <form> that shows the error banner and hands field errors to its fields. */
export function Form({ form, onSubmit, children, className = "", ...rest }) {
  return (
    <form
      noValidate
      className={`form ${className}`}
      onSubmit={(e) => {
        e.preventDefault();
        form.submit(onSubmit);
      }}
      {...rest}
    >
      <FieldErrorsProvider error={form.error}>
        <ErrorBanner error={form.error} />
        {children}
      </FieldErrorsProvider>
    </form>
  );
}

/** A labelled input bound to form.values[name]; its API error is shown under it and tied by aria-describedby. */
export function Field({ form, name, label, type = "text", help, children, ...inputProps }) {
  const id = useId();
  const error = useFieldError(name);
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const described = [error ? errorId : null, help ? helpId : null].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": described,
    ...inputProps,
  };
  let control;
  if (children) {
    control = children(common);
  } else if (type === "checkbox") {
    control = (
      <input type="checkbox" checked={!!form.values[name]} onChange={(e) => form.set(name, e.target.checked)} {...common} />
    );
  } else if (type === "textarea") {
    control = <textarea value={form.values[name] ?? ""} onChange={(e) => form.set(name, e.target.value)} {...common} />;
  } else {
    control = <input type={type} value={form.values[name] ?? ""} onChange={(e) => form.set(name, e.target.value)} {...common} />;
  }
  return (
    <div className={`field ${type === "checkbox" ? "field-checkbox" : ""} ${error ? "field-invalid" : ""}`}>
      {type === "checkbox" ? (
        <>
          {control}
          <label htmlFor={id}>{label}</label>
        </>
      ) : (
        <>
          <label htmlFor={id}>{label}</label>
          {control}
        </>
      )}
      {help && (
        <div className="field-help" id={helpId}>
          {help}
        </div>
      )}
      {error && (
        <div className="field-error" id={errorId}>
          {error}
        </div>
      )}
    </div>
  );
}

/** A submit button that says it is busy. */
export function SubmitButton({ form, children, className = "btn btn-primary" }) {
  return (
    <button type="submit" className={className} disabled={form.busy} aria-busy={form.busy || undefined}>
      {form.busy ? <Spinner /> : null}
      {children}
    </button>
  );
}

export function Spinner({ label }) {
  return <span className="spinner" role={label ? "status" : undefined} aria-label={label} aria-hidden={label ? undefined : true} />;
}
