// The one API client: the official PocketBase JS SDK, its auth kept in memory and sessionStorage (never localStorage).
import PocketBase, { BaseAuthStore } from "pocketbase";

const STORAGE_KEY = "lb_admin_auth";

/** An AuthStore in memory, mirrored to sessionStorage so a reload keeps the session but a closed tab ends it. */
export class SessionAuthStore extends BaseAuthStore {
  constructor(storage = window.sessionStorage) {
    super();
    this.storage = storage;
    try {
      const saved = JSON.parse(storage.getItem(STORAGE_KEY) || "null");
      if (saved?.token) {
        super.save(saved.token, saved.record || null);
      }
    } catch {
      storage.removeItem(STORAGE_KEY);
    }
  }

  save(token, record) {
    super.save(token, record);
    this.storage.setItem(STORAGE_KEY, JSON.stringify({ token, record }));
  }

  clear() {
    super.clear();
    this.storage.removeItem(STORAGE_KEY);
  }
}

// Same origin as the page: `/_/` and `/api/` share one host locally and behind CloudFront.
export const pb = new PocketBase(window.location.origin, new SessionAuthStore());
// Screens cancel their own stale requests; the SDK's automatic cancellation would abort parallel loads.
pb.autoCancellation(false);

export const SUPERUSERS = "_superusers";

/** True while a superuser is signed in (an expired token counts as signed out). */
export function isSuperuser() {
  return pb.authStore.isValid && pb.authStore.record?.collectionName === SUPERUSERS;
}
