// A copy-to-clipboard button that says, politely, when it has copied.
import { useEffect, useState } from "react";

const COPIED_MS = 2000;

/** Copies `text`; `label` names what is copied for screen readers ("Copy secret"). */
export function CopyButton({ text, label = "Copy", className = "btn btn-secondary btn-sm" }) {
  const [state, setState] = useState("idle");
  useEffect(() => {
    if (state === "idle") return undefined;
    const timer = setTimeout(() => setState("idle"), COPIED_MS);
    return () => clearTimeout(timer);
  }, [state]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed"); // no clipboard permission: the text stays selectable beside the button
    }
  }
  return (
    <>
      <button type="button" className={className} onClick={copy}>
        {label}
      </button>
      <span role="status" className="copy-status">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the text and copy it" : ""}
      </span>
    </>
  );
}
