// One collection: tabs for its records (area `records`), schema editor and API preview, each a sub-route of routes.jsx.
import { Navigate, NavLink, Outlet, useOutletContext, useParams } from "react-router";
import { useCollections } from "../../lib/collections.jsx";
import { Spinner } from "../../lib/forms.jsx";

export function CollectionHome() {
  const { collection: key } = useParams();
  const { byIdOrName, loading } = useCollections();
  const collection = key === "new" ? null : byIdOrName(key);
  if (key !== "new" && !collection) {
    return loading ? <Spinner label="Loading collection" /> : <p role="alert">No collection named {key}.</p>;
  }
  const base = `/collections/${key}`;
  return (
    <>
      <header className="page-header">
        <h1>{collection ? collection.name : "New collection"}</h1>
        {collection && (
          <nav aria-label="Collection" className="tabs">
            <NavLink to={`${base}/records`}>Records</NavLink>
            <NavLink to={`${base}/schema`}>Schema</NavLink>
            <NavLink to={`${base}/api`}>API preview</NavLink>
          </nav>
        )}
      </header>
      <Outlet context={collection} />
    </>
  );
}

/** The selected collection (null on /collections/new), for the screens under /collections/:collection/. */
export function useSelectedCollection() {
  return useOutletContext();
}

/** /collections/:collection itself: its records when it exists, the schema editor for a new one. */
export function CollectionIndexRedirect() {
  const collection = useSelectedCollection();
  return <Navigate to={collection ? "records" : "schema"} replace />;
}
