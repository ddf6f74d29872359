// Dates between the API (PocketBase's "2026-12-01 13:49:15.845Z", UTC) and the page (datetime-local inputs).

/** "2026-12-01 13:49:15.845Z" → a Date (null when empty or unreadable). */
export function parseApiDate(text) {
  if (!text) return null;
  const date = new Date(String(text).replace(" ", "T"));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A Date → the API's text, "2026-12-01 13:49:15.845Z". */
export function toApiDate(date) {
  return date.toISOString().replace("T", " ");
}

/** A datetime-local value (the browser's local time) → the API's UTC text; "" when empty. */
export function localInputToApi(value) {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : toApiDate(date);
}

/** How a stored date is shown: UTC to the second, as the API stores it ("2026-12-01 13:49:15 UTC"). */
export function formatApiDate(text) {
  const date = parseApiDate(text);
  return date ? `${toApiDate(date).slice(0, 19)} UTC` : "";
}

/** Bytes as a short size ("233 KB"). */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
