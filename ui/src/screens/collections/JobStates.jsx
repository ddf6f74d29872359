// The collection's long operations in progress, as its JSON reports them: computed-field backfills
// (`computedStates`), a view's build (`buildState`) and maintained aggregate builds (`aggregateStates`).
// Index builds show on their own rows (IndexesEditor).
import { Progress } from "../../lib/progress.jsx";

/** Whether the collection JSON reports any long operation still running (the editor polls while it does). */
export function isBuilding(collection) {
  return (
    (collection?.indexStates || []).some((s) => s.state === "building") ||
    (collection?.computedStates || []).length > 0 ||
    collection?.buildState?.state === "building" ||
    (collection?.aggregateStates || []).length > 0
  );
}

function labels(collection) {
  const computed = (collection?.computedStates || []).map(
    (s) => `Computing ${s.name} for existing records: ${s.seen} done`,
  );
  const view = collection?.buildState?.state === "building" ? [`Building the view: ${collection.buildState.seen} source records read`] : [];
  const aggregates = (collection?.aggregateStates || []).map(
    (s) => `Building aggregate ${s.name}: ${s.seen} records counted (answered from the records until done)`,
  );
  return [...computed, ...view, ...aggregates];
}

export function JobStates({ collection }) {
  const running = labels(collection);
  if (!running.length) return null;
  return (
    <section aria-label="Background work" className="job-states">
      {running.map((label) => (
        <Progress key={label.split(":")[0]} label={label} />
      ))}
    </section>
  );
}
