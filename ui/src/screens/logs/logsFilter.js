// The logs screen's query: its search box, level, time range and superuser toggle as one PocketBase filter.
import { localInputToApi } from "../../lib/dates.js";

// PocketBase's log levels (slog): what the level select offers, lowest first.
export const LOG_LEVELS = [
  { value: -4, label: "DEBUG" },
  { value: 0, label: "INFO" },
  { value: 4, label: "WARN" },
  { value: 8, label: "ERROR" },
];

export function levelLabel(level) {
  const known = LOG_LEVELS.find((l) => l.value === level);
  return known ? known.label : `LEVEL ${level}`;
}

// Characters only a filter expression has: text without any of them is a plain search term.
const FILTER_SYNTAX = /[=<>~!?&|()]/;

function quoted(text) {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The search box: a filter as typed (`level > 0`), or a plain term searched in the message. */
export function searchFilter(text) {
  const term = (text || "").trim();
  if (!term) return "";
  return FILTER_SYNTAX.test(term) ? term : `message ~ ${quoted(term)}`;
}

/**
 * The whole filter of {q, level, from, to, superusers}: each part in parentheses, joined by &&.
 * Requests by superusers are left out unless asked for, as PocketBase's dashboard does (its own polling
 * would otherwise fill the list).
 */
export function logsFilter({ q, level, from, to, superusers }) {
  const parts = [searchFilter(q)];
  if (level !== "" && level != null) parts.push(`level >= ${Number(level)}`);
  const low = localInputToApi(from);
  const high = localInputToApi(to);
  if (low) parts.push(`created >= ${quoted(low)}`);
  if (high) parts.push(`created <= ${quoted(high)}`);
  if (!superusers) parts.push(`data.auth != "_superusers"`);
  return parts.filter(Boolean).map((p) => `(${p})`).join(" && ");
}
