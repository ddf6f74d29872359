// /collections/:collection/views/:view: one saved view, shown by its type, with its settings and delete.
import { useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { pb } from "../../lib/pb.js";
import { ConfirmDialog } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { useSelectedCollection } from "../collections/CollectionHome.jsx";
import { GridScreen } from "../records/GridScreen.jsx";
import "../records/records.css";
import { CalendarView } from "./CalendarView.jsx";
import { FormViewEditor } from "./FormViewEditor.jsx";
import { GalleryView } from "./GalleryView.jsx";
import { KanbanView } from "./KanbanView.jsx";
import { ViewEditor } from "./ViewEditor.jsx";
import { ViewSwitcher } from "./ViewSwitcher.jsx";
import { readView, useViews, VIEWS, viewsChanged } from "./useViews.js";

export function SavedViewPage() {
  const collection = useSelectedCollection();
  const { view: viewId } = useParams();
  const { views, error } = useViews(collection);
  const view = views?.find((v) => v.id === viewId);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState(null);
  const navigate = useNavigate();
  const toasts = useToasts();

  async function remove() {
    try {
      await pb.collection(VIEWS).delete(view.id);
      setDeleting(false);
      toasts.success("View deleted.");
      viewsChanged();
      navigate(`/collections/${collection.name}/records`);
    } catch (err) {
      setDeleting(false);
      setDeleteError(apiError(err));
    }
  }

  return (
    <>
      <ViewSwitcher collection={collection} />
      <ErrorBanner error={error || deleteError} />
      {!views && !error && <Spinner label="Loading view" />}
      {views && !view && <p role="alert">This collection has no view {viewId}.</p>}
      {view && (
        <>
          <div className="view-head">
            <h2>{view.name} <span className="view-type">{view.type}</span></h2>
            {view.description && <p className="muted">{view.description}</p>}
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setEditing(true)}>View settings</button>
            <button type="button" className="btn btn-danger btn-sm" onClick={() => setDeleting(true)}>Delete view</button>
          </div>
          {/* a grid view follows its own saves (columns, widths) without starting over; the others restart on a change */}
          <ViewBody key={view.type === "grid" ? view.id : `${view.id}|${view.updated}`} collection={collection} view={view} />
          {editing && <ViewEditor collection={collection} view={view} onClose={() => setEditing(false)} onSaved={() => setEditing(false)} />}
          <ConfirmDialog open={deleting} title="Delete view" message={`Delete the view ${view.name}? Its records stay.`}
            typed={view.name} confirmLabel="Delete view" onConfirm={remove} onCancel={() => setDeleting(false)} />
        </>
      )}
    </>
  );
}

function ViewBody({ collection, view }) {
  switch (view.type) {
    case "kanban":
      return <KanbanView collection={collection} view={view} />;
    case "calendar":
      return <CalendarView collection={collection} view={view} />;
    case "gallery":
      return <GalleryView collection={collection} view={view} />;
    case "form":
      return <FormViewEditor collection={collection} view={view} />;
    default:
      return <GridView collection={collection} view={view} />;
  }
}

// columns the API always needs back: a record without its id cannot be edited
const ALWAYS = ["id"];
const META = new Set(["id", "collectionId", "collectionName"]);

/** A grid view: read through the view; its columns and widths are saved in the view record itself. */
function GridView({ collection, view }) {
  const toasts = useToasts();
  // shown at once, saved in the view behind: the columns menu must not wait for the round trip
  const [prefs, setPrefs] = useState(() => ({
    fields: view.fields ? view.fields.filter((n) => !META.has(n)) : null,
    widths: view.columnWidths || {},
  }));
  const reader = useMemo(() => {
    const read = (query) => readView(collection, view, query);
    read.key = `view-${view.id}-${view.updated}`;
    return read;
  }, [collection, view]);

  async function keep(next) {
    setPrefs(next);
    try {
      await pb.collection(VIEWS).update(view.id, {
        fields: next.fields ? [...ALWAYS, ...next.fields] : null,
        columnWidths: next.widths,
      });
      viewsChanged();
    } catch (err) {
      toasts.error(apiError(err).message);
    }
  }

  async function saveFilterAndSort({ filter, sort, clearFilter }) {
    const combined = [view.filter, filter].filter(Boolean).map((f) => `(${f})`).join(" && ");
    try {
      await pb.collection(VIEWS).update(view.id, { filter: combined, sort: sort || view.sort });
      clearFilter();
      toasts.success("Filter and sort saved in the view.");
      viewsChanged();
    } catch (err) {
      toasts.error(apiError(err).message);
    }
  }

  return (
    <GridScreen collection={collection} prefs={prefs} onPrefs={keep} readPage={reader}
      toolbarExtra={(state) => (state.filter || state.sort) && (
        <button type="button" className="btn btn-secondary" onClick={() => saveFilterAndSort(state)}>Save filter and sort to view</button>
      )} />
  );
}
