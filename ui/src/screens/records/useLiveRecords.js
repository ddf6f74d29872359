// A page of records kept live: loaded by the caller's fetch, refreshed over realtime (SSE at /api/realtime).
import { useCallback, useEffect, useRef, useState } from "react";
import { pb } from "../../lib/pb.js";
import { apiError } from "../../lib/errors.jsx";

/**
 * `load()` answers the list shape (or any object; `items` is what realtime patches); it is re-run when `key`
 * changes. With `patch`, a realtime update of a shown record replaces it in place; anything else reloads the
 * page, so the filter, sort, stacks and totals stay the server's.
 */
export function useLiveRecords(collection, key, load, { expand = "", patch = true } = {}) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const result = await loadRef.current();
      if (mine === generation.current) {
        setData(result);
        setError(null);
      }
    } catch (err) {
      if (mine === generation.current) setError(apiError(err));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    reload();
  }, [key, reload]);

  useEffect(() => {
    if (!collection) return undefined;
    let unsubscribe = null;
    let closed = false;
    pb.collection(collection.id)
      .subscribe("*", (event) => {
        if (patch && event.action === "update") {
          setData((d) => (d && replaceItem(d, event.record)) || d);
        } else {
          reload();
        }
      }, expand ? { expand } : {})
      .then((fn) => (closed ? fn() : (unsubscribe = fn)))
      .catch(() => {});
    return () => {
      closed = true;
      unsubscribe?.();
    };
  }, [collection, expand, patch, reload]);

  return { data, setData, error, loading, reload };
}

/** The list with `record` in place of the item with its id, or null when it is not shown. */
function replaceItem(data, record) {
  if (!Array.isArray(data.items) || !data.items.some((r) => r.id === record.id)) return null;
  return { ...data, items: data.items.map((r) => (r.id === record.id ? { ...r, ...record } : r)) };
}
