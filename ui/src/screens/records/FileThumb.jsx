// A saved file as a 100x100 thumbnail (images) or a labelled link, through the files API (a token for protected ones).
import { useEffect, useState } from "react";
import { pb } from "../../lib/pb.js";

const IMAGE_NAME = /\.(png|jpe?g|gif|webp|bmp|svg|avif)$/i;
const TOKEN_REUSE_MS = 60_000;
let cachedToken = { value: "", at: 0, pending: null };

/** A file token for protected files, shared by every thumbnail for a minute (tokens last a few minutes). */
export function fileToken() {
  const now = Date.now();
  if (cachedToken.value && now - cachedToken.at < TOKEN_REUSE_MS) return Promise.resolve(cachedToken.value);
  if (!cachedToken.pending) {
    cachedToken.pending = pb.files.getToken().then((value) => {
      cachedToken = { value, at: Date.now(), pending: null };
      return value;
    }, (err) => {
      cachedToken.pending = null;
      throw err;
    });
  }
  return cachedToken.pending;
}

/** The URL of a file; `protected` fields get the caller's file token appended, as pb.files.getURL does. */
export function useFileUrl(record, field, name, thumb) {
  const [token, setToken] = useState(field.protected ? null : "");
  useEffect(() => {
    if (field.protected) fileToken().then(setToken, () => setToken(""));
  }, [field.protected]);
  if (token === null) return "";
  return pb.files.getURL(record, name, { thumb, token: token || undefined });
}

/** `linked`: a link to the original file (not inside a grid cell, which is a button itself). */
export function FileThumb({ record, field, name, linked = false }) {
  const url = useFileUrl(record, field, name, "100x100");
  const original = useFileUrl(record, field, name, undefined);
  if (!url) return <span className="thumb" aria-hidden="true" />;
  const thumb = IMAGE_NAME.test(name) ? (
    <img className="thumb" src={url} alt={name} width="40" height="40" loading="lazy" />
  ) : (
    <span className="thumb thumb-doc">{name.split(".").pop().toUpperCase().slice(0, 4)}<span className="visually-hidden"> {name}</span></span>
  );
  if (!linked) return thumb;
  return <a href={original} target="_blank" rel="noreferrer" className="thumb-link" title={name}>{thumb}</a>;
}
