// The saved views of one collection (`_views` records), reloaded when one is created, changed or deleted.
import { useCallback, useEffect, useState } from "react";
import { pb } from "../../lib/pb.js";
import { apiError } from "../../lib/errors.jsx";

export const VIEWS = "_views";
export const VIEW_TYPES = ["grid", "kanban", "calendar", "gallery", "form"];

// one list per collection shared by the switcher and the view page, so a save shows in both
const listeners = new Set();
export function viewsChanged() {
  listeners.forEach((fn) => fn());
}

export function useViews(collection) {
  const [views, setViews] = useState(null);
  const [error, setError] = useState(null);
  const reload = useCallback(async () => {
    try {
      const list = await pb.collection(VIEWS).getFullList({ filter: pb.filter("collection = {:c}", { c: collection.id }), sort: "created" });
      setViews(list);
      setError(null);
    } catch (err) {
      setError(apiError(err));
    }
  }, [collection.id]);
  useEffect(() => {
    reload();
    listeners.add(reload);
    return () => listeners.delete(reload);
  }, [reload]);
  return { views, error, reload };
}

/** GET /api/collections/{c}/views/{v}/records with `query`. */
export function readView(collection, view, query) {
  const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== "" && v !== undefined && v !== null));
  return pb.send(`/api/collections/${encodeURIComponent(collection.id)}/views/${encodeURIComponent(view.id)}/records`, { query: clean });
}
