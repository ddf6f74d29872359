// Errors in the shape of the SDK's ClientResponseError: status, response ({status, message, data}), url.

/** A failed realtime request; the same fields as the SDK's ClientResponseError, for code that reads them. */
export class RealtimeError extends Error {
  constructor({ status = 0, response = {}, url = "", isAbort = false, originalError = null } = {}) {
    super(response.message || "Something went wrong.");
    this.name = "ClientResponseError " + status;
    this.status = status;
    this.response = response;
    this.url = url;
    this.isAbort = isAbort;
    this.originalError = originalError;
  }

  /** Alias of `response`, as on ClientResponseError. */
  get data() {
    return this.response;
  }

  toJSON() {
    return { ...this };
  }
}

/**
 * An error of the given class (the SDK's ClientResponseError when the app passes it, else RealtimeError)
 * from a protocol `error` message or a transport failure.
 */
export function makeError(ErrorClass, { status = 0, message = "", data = {}, url = "", cause = null }) {
  const payload = {
    status, url, originalError: cause,
    response: { status, message: message || "Something went wrong.", data: data || {} },
  };
  return new (ErrorClass || RealtimeError)(payload);
}
