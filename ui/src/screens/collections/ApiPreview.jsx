// API preview of the selected collection: each endpoint, who may call it and a JS SDK example from its schema.
import { useState } from "react";
import { useSelectedCollection } from "./CollectionHome.jsx";
import { apiSections } from "./apiPreview.js";
import { useToasts } from "../../lib/toasts.jsx";

export function ApiPreview() {
  const collection = useSelectedCollection();
  const toasts = useToasts();
  const sections = collection ? apiSections(collection, window.location.origin) : [];
  const [current, setCurrent] = useState(sections[0]?.id);
  if (!collection) return <p className="muted">Save the collection first.</p>;
  const section = sections.find((s) => s.id === current) || sections[0];

  async function copy() {
    try {
      await navigator.clipboard.writeText(section.code);
      toasts.success("Copied.");
    } catch {
      toasts.error("The browser refused the clipboard; select the code and copy it.");
    }
  }

  return (
    <div className="api-preview">
      <div role="tablist" aria-label="Endpoints" className="api-tabs">
        {sections.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            id={`api-tab-${s.id}`}
            aria-selected={s.id === section.id}
            aria-controls="api-panel"
            tabIndex={s.id === section.id ? 0 : -1}
            className={`btn btn-sm ${s.id === section.id ? "btn-primary" : "btn-secondary"}`}
            onClick={() => setCurrent(s.id)}
            onKeyDown={(e) => {
              const i = sections.indexOf(s);
              const next = e.key === "ArrowRight" ? sections[(i + 1) % sections.length] : e.key === "ArrowLeft" ? sections[(i - 1 + sections.length) % sections.length] : null;
              if (next) {
                setCurrent(next.id);
                document.getElementById(`api-tab-${next.id}`)?.focus();
              }
            }}
          >
            {s.title}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="api-panel" aria-labelledby={`api-tab-${section.id}`} className="api-panel">
        <p className="api-endpoint">
          <span className={`method method-${section.method.toLowerCase()}`}>{section.method}</span> <code>{section.path}</code>
        </p>
        <p>
          <strong>Who:</strong> {section.access}
          {section.params && (
            <>
              <br />
              <strong>Query parameters:</strong> {section.params}
            </>
          )}
        </p>
        <div className="code-head">
          <span>JavaScript SDK</span>
          <button type="button" className="btn btn-secondary btn-sm" onClick={copy}>Copy</button>
        </div>
        <pre className="code" tabIndex={0} aria-label={`${section.title} example`}><code>{section.code}</code></pre>
      </div>
    </div>
  );
}
