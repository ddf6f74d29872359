// Time display shared by screens: API dates as UTC text, durations in words, a JWT's expiry.

/** "2026-12-01 19:30:00.000Z" (PocketBase's date format) as "2026-12-01 19:30 UTC"; "" stays "". */
export function formatDate(value) {
  if (!value) return "";
  const date = new Date(value.replace(" ", "T"));
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/** Seconds as "5 days", "30 minutes", "90 seconds". */
export function formatDuration(seconds) {
  const units = [["day", 86400], ["hour", 3600], ["minute", 60]];
  for (const [unit, size] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** The `exp` claim of a JWT as a Date, or null; the token is only decoded for display, never trusted. */
export function jwtExpiry(token) {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof payload.exp === "number" ? new Date(payload.exp * 1000) : null;
  } catch {
    return null;
  }
}
