// Modal dialogs on the native <dialog> (focus trap and Escape for free), and a confirm with typed confirmation.
import { useEffect, useId, useRef, useState } from "react";

/** A modal <dialog>, open while `open`; onClose when dismissed (Escape, Cancel). */
export function Modal({ open, title, onClose, children, footer, className = "" }) {
  const ref = useRef(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`modal ${className}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose?.();
      }}
    >
      {open && (
        <>
          <header className="modal-header">
            <h2 id={titleId}>{title}</h2>
          </header>
          <div className="modal-body">{children}</div>
          {footer && <footer className="modal-footer">{footer}</footer>}
        </>
      )}
    </dialog>
  );
}

/**
 * Asks before a destructive action. With `typed`, the button stays disabled until that exact text is typed
 * (PocketBase asks for the collection or backup name the same way).
 */
export function ConfirmDialog({ open, title, message, typed, confirmLabel = "Confirm", danger = true, onConfirm, onCancel }) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  useEffect(() => {
    if (open) setText("");
  }, [open]);
  const ready = !typed || text === typed;
  async function confirm() {
    if (!ready || busy) return;
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      open={open}
      title={title}
      onClose={onCancel}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className={`btn ${danger ? "btn-danger" : "btn-primary"}`} disabled={!ready || busy} onClick={confirm}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <p>{message}</p>
      {typed && (
        <div className="field">
          <label htmlFor={inputId}>
            Type <code>{typed}</code> to confirm
          </label>
          <input id={inputId} value={text} autoComplete="off" onChange={(e) => setText(e.target.value)} />
        </div>
      )}
    </Modal>
  );
}
