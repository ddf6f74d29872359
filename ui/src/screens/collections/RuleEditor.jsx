// One API rule: locked (null: superusers only) or a filter checked as you type by the validation endpoint, with
// autocomplete of fields and macros (an ARIA combobox: arrows move, Enter or Tab accepts, Escape closes).
import { useEffect, useId, useRef, useState } from "react";
import { pb } from "../../lib/pb.js";
import { useFieldError } from "../../lib/errors.jsx";
import { suggest, tokenAt } from "./ruleSuggestions.js";

const CHECK_DELAY_MS = 250;

/** Debounced POST /api/collections/meta/validate-rule of `rule` against the draft; {state, message}. */
function useRuleCheck(rule, draft) {
  const [result, setResult] = useState({ state: "idle", message: "" });
  const draftJson = JSON.stringify(draft);
  useEffect(() => {
    if (rule === null || rule === undefined || !rule.trim()) {
      setResult({ state: "idle", message: "" });
      return undefined;
    }
    let live = true;
    setResult((r) => ({ ...r, state: "checking" }));
    const timer = setTimeout(async () => {
      try {
        const answer = await pb.send("/api/collections/meta/validate-rule", {
          method: "POST",
          body: { rule, collection: JSON.parse(draftJson) },
        });
        if (live) setResult(answer.valid ? { state: "valid", message: "" } : { state: "invalid", message: answer.message });
      } catch (err) {
        if (live) setResult({ state: "invalid", message: err?.response?.message || "Could not check the rule." });
      }
    }, CHECK_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [rule, draftJson]);
  return result;
}

export function RuleEditor({ name, label, value, onChange, draft, collections, help }) {
  const id = useId();
  const inputRef = useRef(null);
  const [options, setOptions] = useState([]);
  const [active, setActive] = useState(0);
  const locked = value === null || value === undefined;
  const check = useRuleCheck(locked ? null : value, draft);
  const saveError = useFieldError(name);
  const listId = `${id}-list`;
  const statusId = `${id}-status`;

  function refreshSuggestions(text, pos) {
    const { prefix } = tokenAt(text, pos);
    setOptions(suggest(prefix, draft, collections));
    setActive(0);
  }

  function accept(option) {
    const input = inputRef.current;
    const pos = input.selectionStart;
    const { start } = tokenAt(value, pos);
    const next = value.slice(0, start) + option.insert + value.slice(pos);
    onChange(next);
    setOptions([]);
    requestAnimationFrame(() => {
      const caret = start + option.insert.length;
      input.setSelectionRange(caret, caret);
      input.focus();
      if (option.insert.endsWith(".")) refreshSuggestions(next, caret);
    });
  }

  function onKeyDown(e) {
    if (!options.length) return;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((a) => (a + 1) % options.length);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => (a - 1 + options.length) % options.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      accept(options[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      setOptions([]);
    }
  }

  const message = saveError || (check.state === "invalid" ? check.message : "");
  return (
    <div className={`field rule-field ${message ? "field-invalid" : ""}`}>
      <div className="rule-head">
        <label htmlFor={id}>{label}</label>
        <button
          type="button"
          className="btn btn-link btn-sm"
          aria-pressed={locked}
          onClick={() => onChange(locked ? "" : null)}
        >
          {locked ? "Unlock (set a rule)" : "Lock (superusers only)"}
        </button>
      </div>
      {locked ? (
        <p className="rule-locked" id={id}>
          Only superusers can perform this action.
        </p>
      ) : (
        <div className="combobox">
          <textarea
            ref={inputRef}
            id={id}
            className="rule-input"
            rows={2}
            spellCheck={false}
            autoComplete="off"
            role="combobox"
            aria-expanded={options.length > 0}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={options.length ? `${listId}-${active}` : undefined}
            aria-describedby={statusId}
            aria-invalid={message ? true : undefined}
            placeholder='Leave empty to allow everyone, e.g. owner = @request.auth.id'
            value={value}
            onChange={(e) => {
              onChange(e.target.value);
              refreshSuggestions(e.target.value, e.target.selectionStart);
            }}
            onKeyDown={onKeyDown}
            onBlur={() => setTimeout(() => setOptions([]), 150)}
          />
          {options.length > 0 && (
            <ul className="combobox-list" role="listbox" id={listId} aria-label={`Suggestions for ${label}`}>
              {options.map((o, i) => (
                <li
                  key={o.insert}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? "active" : undefined}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    accept(o);
                  }}
                >
                  <code>{o.label}</code> <span className="muted">{o.detail}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div id={statusId} className={message ? "field-error" : "field-help"} aria-live="polite">
        {locked
          ? ""
          : message ||
            (check.state === "checking" ? "Checking…" : check.state === "valid" ? "Valid rule." : value === "" ? "Empty: everyone may (guests included)." : help || "")}
      </div>
    </div>
  );
}
