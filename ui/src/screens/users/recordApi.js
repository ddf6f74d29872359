// Lambdabase's per-record auth endpoints (sessions, TOTP, API tokens), called through the SDK's pb.send.
import { pb } from "../../lib/pb.js";

/** pb.send on /api/collections/{collection}/records/{id}/{path}. */
export function recordSend(collection, record, path, options = {}) {
  const base = `/api/collections/${encodeURIComponent(collection.name)}/records/${encodeURIComponent(record.id)}`;
  return pb.send(`${base}/${path}`, options);
}
