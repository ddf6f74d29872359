// A kanban view: a stack per option of its stack field; drag a card (or use its Move menu) to another stack.
import { useCallback, useState } from "react";
import { pb } from "../../lib/pb.js";
import { useCollections } from "../../lib/collections.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { CellValue } from "../records/CellValue.jsx";
import { RecordPanelById } from "../records/RecordPanel.jsx";
import { cardFields, expandFor, gridFields, recordLabel } from "../records/fieldTypes.js";
import { useLiveRecords } from "../records/useLiveRecords.js";
import { readView } from "./useViews.js";

const CARD_FIELDS = 3;
const EMPTY_STACK = "(none)";

/** The rank that puts a card between `before` and `after` (either may be missing): a midpoint, never a renumbering. */
export function rankBetween(before, after) {
  const a = typeof before === "number" ? before : null;
  const b = typeof after === "number" ? after : null;
  if (a !== null && b !== null) return (a + b) / 2;
  if (b !== null) return b - 1;
  if (a !== null) return a + 1;
  return 1;
}

/** A stack's heading: its option, or the linked record's name for a relation stack. */
function stackName(stack, target) {
  if (!stack.value) return EMPTY_STACK;
  return stack.record ? recordLabel(stack.record, target) : stack.value;
}

export function KanbanView({ collection, view }) {
  const stackField = collection.fields.find((f) => f.name === view.options?.stackField);
  const rankField = view.options?.rankField || "";
  const { byIdOrName } = useCollections();
  const target = stackField?.type === "relation" ? byIdOrName(stackField.collectionId) : null;
  const expand = expandFor(gridFields(collection));
  const load = useCallback(() => readView(collection, view, { expand }), [collection, view, expand]);
  const live = useLiveRecords(collection, view.id, load, { patch: false });
  const [dragging, setDragging] = useState(null); // the dragged card's id
  const [over, setOver] = useState(null);
  const [moveError, setMoveError] = useState(null);
  const [openId, setOpenId] = useState(null);
  const toasts = useToasts();
  const shownFields = cardFields(collection, view.fields, [stackField?.name, rankField], CARD_FIELDS);

  async function move(card, toValue, beforeId = null) {
    setMoveError(null);
    const stacks = live.data?.stacks || [];
    const target = stacks.find((s) => s.value === toValue);
    const others = (target?.items || []).filter((c) => c.id !== card.id);
    const body = { [stackField.name]: toValue };
    if (rankField) {
      const at = beforeId ? others.findIndex((c) => c.id === beforeId) : others.length;
      const index = at < 0 ? others.length : at;
      body[rankField] = rankBetween(others[index - 1]?.[rankField], others[index]?.[rankField]);
    }
    try {
      await pb.collection(collection.id).update(card.id, body);
      toasts.success(`Moved ${recordLabel(card, collection)} to ${toValue || EMPTY_STACK}.`);
      live.reload();
    } catch (err) {
      setMoveError(apiError(err));
    }
  }

  if (!stackField) return <p role="alert">The stack field {view.options?.stackField} is no longer in {collection.name}.</p>;
  return (
    <div className="records-layout">
      <div className="records-main">
        <ErrorBanner error={live.error || moveError} />
        <p className="muted" id={`kanban-help-${view.id}`}>Drag a card to another stack, or use its Move menu.</p>
        {!live.data && <Spinner label="Loading cards" />}
        <div className="kanban" aria-describedby={`kanban-help-${view.id}`}>
          {(live.data?.stacks || []).map((stack) => {
            const name = stackName(stack, target);
            return (
              <section key={stack.value || "_empty"} className={`kanban-stack ${over === stack.value ? "drop-target" : ""}`} aria-label={`Stack ${name}`}
                onDragOver={(e) => { if (dragging) { e.preventDefault(); setOver(stack.value); } }}
                onDragLeave={() => setOver(null)}
                onDrop={(e) => {
                  e.preventDefault();
                  setOver(null);
                  const card = findCard(live.data, dragging);
                  setDragging(null);
                  if (card) move(card, stack.value, e.target.closest?.("[data-card]")?.dataset.card || null);
                }}>
                <h3>{name} <span className="muted">({stack.count ?? stack.totalItems})</span></h3>
                <ol className="kanban-cards">
                  {stack.items.map((card) => (
                    <li key={card.id} data-card={card.id} className="kanban-card" draggable
                      onDragStart={(e) => { e.dataTransfer.setData("text/plain", card.id); e.dataTransfer.effectAllowed = "move"; setDragging(card.id); }}
                      onDragEnd={() => setDragging(null)}>
                      <button type="button" className="card-title" onClick={() => setOpenId(card.id)}>{recordLabel(card, collection)}</button>
                      <dl className="card-fields">
                        {shownFields.map((f) => (
                          <div key={f.name}><dt>{f.name}</dt><dd><CellValue field={f} record={card} /></dd></div>
                        ))}
                      </dl>
                      <label className="card-move">
                        <span className="visually-hidden">Move {recordLabel(card, collection)} to stack</span>
                        <select value={stack.value} onChange={(e) => move(card, e.target.value)}>
                          {live.data.stacks.map((s) => <option key={s.value || "_empty"} value={s.value}>{s.value === stack.value ? "Move to…" : stackName(s, target)}</option>)}
                        </select>
                      </label>
                    </li>
                  ))}
                </ol>
                {stack.totalItems > stack.items.length && <p className="muted">and {stack.totalItems - stack.items.length} more</p>}
              </section>
            );
          })}
        </div>
      </div>
      {openId && <RecordPanelById key={openId} collection={collection} id={openId} onChanged={live.reload} onClose={() => setOpenId(null)} />}
    </div>
  );
}

function findCard(data, id) {
  for (const stack of data?.stacks || []) {
    const card = stack.items.find((c) => c.id === id);
    if (card) return card;
  }
  return null;
}
