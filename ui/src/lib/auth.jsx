// Who is signed in: follows pb.authStore, and sends the user back to sign-in on any 401 of a signed-in request.
import { useSyncExternalStore } from "react";
import { isSuperuser, pb } from "./pb.js";

function subscribe(onChange) {
  return pb.authStore.onChange(onChange);
}

function snapshot() {
  return isSuperuser() ? pb.authStore.token : "";
}

/** The signed-in superuser record, or null; re-renders on sign-in and sign-out. */
export function useSuperuser() {
  const token = useSyncExternalStore(subscribe, snapshot);
  return token ? pb.authStore.record : null;
}

export function signOut() {
  pb.authStore.clear();
}

// A 401 on a request made with the stored token means it expired or was revoked: drop it, the router then
// shows sign-in. A 401 with mfaId is the MFA step of a sign-in, not a lost session.
pb.afterSend = function afterSend(response, data) {
  if (response.status === 401 && pb.authStore.token && !data?.mfaId) {
    pb.authStore.clear();
  }
  return data;
};
