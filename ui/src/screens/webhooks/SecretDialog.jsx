// The signing secret, shown once (the API never returns it again) with a copy button.
import { useId } from "react";
import { Modal } from "../../lib/dialog.jsx";
import { CopyButton } from "../../lib/clipboard.jsx";
import { formatApiDate } from "../../lib/dates.js";

/** `revealed`: {secret, title, previousValidUntil?} or null. */
export function SecretDialog({ revealed, onClose }) {
  const inputId = useId();
  const helpId = useId();
  return (
    <Modal
      open={!!revealed}
      title={revealed?.title || "Signing secret"}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          I have saved it
        </button>
      }
    >
      {revealed && (
        <>
          <div className="alert alert-info" id={helpId}>
            Copy the secret now: this is the only time it is shown. Your receiver verifies each delivery with it (any
            Standard Webhooks library). Lost it? Rotate the secret.
          </div>
          <div className="field">
            <label htmlFor={inputId}>Signing secret</label>
            <div className="input-row">
              <input id={inputId} className="mono" readOnly value={revealed.secret} aria-describedby={helpId} onFocus={(e) => e.target.select()} />
              <CopyButton text={revealed.secret} label="Copy secret" />
            </div>
          </div>
          {revealed.previousValidUntil && (
            <p>
              The previous secret keeps signing until <strong>{formatApiDate(revealed.previousValidUntil)}</strong>.
            </p>
          )}
        </>
      )}
    </Modal>
  );
}
