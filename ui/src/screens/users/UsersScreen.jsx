// Users: the records of every auth collection (superusers too), filtered and paged, beside the selected user's panel.
import { useCallback, useEffect, useState } from "react";
import { Link, Navigate, NavLink, useNavigate, useParams } from "react-router";
import "../../styles/admin.css";
import { useCollections } from "../../lib/collections.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { pb, SUPERUSERS } from "../../lib/pb.js";
import { formatDate } from "../../lib/timeFormat.js";
import { UserPanel } from "./UserPanel.jsx";

const PER_PAGE = 30;
const VERIFIED_FILTERS = { all: "", verified: "verified = true", unverified: "verified = false" };

/** /users: the first auth collection that is not _superusers (or _superusers when it is the only one). */
export function UsersIndex() {
  const { list, loading } = useCollections();
  const auth = list.filter((c) => c.type === "auth");
  if (!auth.length) return loading ? <Spinner label="Loading collections" /> : <p className="page">No auth collections.</p>;
  const first = auth.find((c) => c.name !== SUPERUSERS) || auth[0];
  return <Navigate to={`/users/${first.name}`} replace />;
}

/** Builds the list filter: the typed PocketBase filter and the verified choice, both must hold. */
export function usersFilter(text, verified) {
  const parts = [text.trim() && `(${text.trim()})`, VERIFIED_FILTERS[verified]].filter(Boolean);
  return parts.join(" && ");
}

export function UsersScreen() {
  const { collection: name, recordId } = useParams();
  const { list, byIdOrName, loading } = useCollections();
  const collection = byIdOrName(name);
  const authCollections = list.filter((c) => c.type === "auth");
  if (!collection) {
    return loading ? <Spinner label="Loading collection" /> : <p className="page" role="alert">No auth collection named {name}.</p>;
  }
  if (collection.type !== "auth") return <p className="page" role="alert">{name} is not an auth collection.</p>;
  return (
    <div className="page">
      <header className="page-header">
        <h1>Users</h1>
        <nav aria-label="Auth collections" className="tabs">
          {authCollections.map((c) => (
            <NavLink key={c.id} to={`/users/${c.name}`}>
              {c.name}
            </NavLink>
          ))}
        </nav>
      </header>
      <UsersList key={collection.id} collection={collection} selectedId={recordId} />
    </div>
  );
}

function UsersList({ collection, selectedId }) {
  const navigate = useNavigate();
  const [filterText, setFilterText] = useState("");
  const [verified, setVerified] = useState("all");
  const [applied, setApplied] = useState({ text: "", verified: "all" });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const isSuperusers = collection.name === SUPERUSERS;

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const filter = usersFilter(applied.text, isSuperusers ? "all" : applied.verified);
      const answer = await pb.collection(collection.name).getList(page, PER_PAGE, { filter, sort: "-created" });
      setResult(answer);
      setError(null);
    } catch (err) {
      setError(apiError(err));
    } finally {
      setLoading(false);
    }
  }, [collection.name, applied, page, isSuperusers]);

  useEffect(() => {
    load();
  }, [load]);

  function apply(e) {
    e.preventDefault();
    setPage(1);
    setApplied({ text: filterText, verified });
  }

  // the verified choice applies at once, with the filter text as it stands
  function chooseVerified(value) {
    setVerified(value);
    setPage(1);
    setApplied({ text: filterText, verified: value });
  }

  const base = `/users/${collection.name}`;
  const onSaved = (record, created) => {
    load();
    if (created) navigate(`${base}/${record.id}`);
  };
  const onDeleted = () => {
    load();
    navigate(base);
  };

  return (
    <div className={selectedId ? "split" : undefined}>
      <section aria-label={`${collection.name} records`}>
        <form className="toolbar" role="search" aria-label="Filter users" onSubmit={apply}>
          <div className="field">
            <label htmlFor="users-filter">Filter</label>
            <input id="users-filter" type="search" className="mono" placeholder="email ~ 'example.com'" value={filterText}
                   onChange={(e) => setFilterText(e.target.value)} />
          </div>
          {!isSuperusers && (
            <div className="field field-narrow">
              <label htmlFor="users-verified">Verified</label>
              <select id="users-verified" value={verified} onChange={(e) => chooseVerified(e.target.value)}>
                <option value="all">All</option>
                <option value="verified">Verified</option>
                <option value="unverified">Unverified</option>
              </select>
            </div>
          )}
          <button type="submit" className="btn btn-secondary">Apply</button>
          <Link to={`${base}/new`} className="btn btn-primary">+ New {isSuperusers ? "superuser" : "user"}</Link>
        </form>
        <ErrorBanner error={error} />
        {loading && !result ? <Spinner label="Loading users" /> : null}
        {result && (
          <>
            <table className="table">
              <caption className="visually-hidden">{collection.name}: {result.totalItems} records</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  {!isSuperusers && <th scope="col">Verified</th>}
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((r) => (
                  <tr key={r.id} className={r.id === selectedId ? "selected" : undefined}>
                    <td className="wrap">
                      <Link to={`${base}/${r.id}`} aria-current={r.id === selectedId ? "true" : undefined}>{r.email || r.id}</Link>
                    </td>
                    {!isSuperusers && (
                      <td>
                        <span className={`pill ${r.verified ? "pill-yes" : "pill-no"}`}>{r.verified ? "verified" : "unverified"}</span>
                      </td>
                    )}
                    <td className="nowrap">{formatDate(r.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {!result.items.length && <p className="muted table-empty">No records match.</p>}
            <div className="pager">
              <button type="button" className="btn btn-secondary btn-sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous
              </button>
              <span className="muted">Page {result.page} of {Math.max(result.totalPages, 1)} · {result.totalItems} total</span>
              <button type="button" className="btn btn-secondary btn-sm" disabled={page >= result.totalPages} onClick={() => setPage(page + 1)}>
                Next
              </button>
            </div>
          </>
        )}
      </section>
      {selectedId && (
        <UserPanel key={selectedId} collection={collection} recordId={selectedId} onSaved={onSaved} onDeleted={onDeleted} />
      )}
    </div>
  );
}
