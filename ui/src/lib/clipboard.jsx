// A button that copies a value (a token, a link) to the clipboard and says whether it worked.
import { useToasts } from "./toasts.jsx";

export function CopyButton({ value, label = "Copy", what = "Value" }) {
  const toasts = useToasts();
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      toasts.success(`${what} copied to the clipboard.`);
    } catch {
      // a browser without clipboard permission (or an insecure origin): the text stays selectable beside it
      toasts.error("The browser refused the clipboard; select the text and copy it.");
    }
  }
  return (
    <button type="button" className="btn btn-secondary btn-sm" onClick={copy}>
      {label}
    </button>
  );
}
