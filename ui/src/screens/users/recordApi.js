// Lambdabase's per-record auth endpoints (sessions, TOTP, API tokens), called through the SDK's pb.send.
import { useCallback, useEffect, useState } from "react";
import { apiError } from "../../lib/errors.jsx";
import { pb } from "../../lib/pb.js";

/** pb.send on /api/collections/{collection}/records/{id}/{path}. */
export function recordSend(collection, record, path, options = {}) {
  const base = `/api/collections/${encodeURIComponent(collection.name)}/records/${encodeURIComponent(record.id)}`;
  return pb.send(`${base}/${path}`, options);
}

/** GET of one of those endpoints, loaded on mount: {data (null while loading), error, setError, reload()}. */
export function useRecordResource(collection, record, path) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const reload = useCallback(async () => {
    try {
      setData(await recordSend(collection, record, path));
      setError(null);
    } catch (err) {
      setError(apiError(err));
    }
  }, [collection, record, path]);
  useEffect(() => {
    reload();
  }, [reload]);
  return { data, error, setError, reload };
}
