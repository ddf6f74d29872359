// One collection: tabs for its records (area `records`), schema editor and API preview, each a sub-route of routes.jsx.
import { useEffect, useState } from "react";
import { Navigate, NavLink, Outlet, useOutletContext, useParams } from "react-router";
import { useCollections } from "../../lib/collections.jsx";
import { Spinner } from "../../lib/forms.jsx";

export function CollectionHome() {
  const { collection: key } = useParams();
  const { byIdOrName, loading, reload } = useCollections();
  const collection = key === "new" ? null : byIdOrName(key);
  // a collection made elsewhere (another tab, the API) since the list was loaded: look once more
  const [lookedAgain, setLookedAgain] = useState("");
  const missing = key !== "new" && !collection && !loading;
  useEffect(() => {
    if (missing && lookedAgain !== key) {
      setLookedAgain(key);
      reload();
    }
  }, [missing, lookedAgain, key, reload]);
  if (key !== "new" && !collection) {
    return loading || lookedAgain !== key ? <Spinner label="Loading collection" /> : <p role="alert">No collection named {key}.</p>;
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
