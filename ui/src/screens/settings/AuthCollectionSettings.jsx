// Per auth collection: its OAuth2 providers (collection options, saved with a PATCH); token lifetimes are in its schema.
import { Link, Navigate, NavLink, useParams } from "react-router";
import { useCollections } from "../../lib/collections.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { OAuth2Form } from "./OAuth2Form.jsx";

export function AuthCollectionSettings() {
  const { collection: name } = useParams();
  const { list, byIdOrName, loading, reload } = useCollections();
  const auth = list.filter((c) => c.type === "auth");
  if (!name) {
    if (!auth.length) return loading ? <Spinner label="Loading collections" /> : <p>No auth collections.</p>;
    return <Navigate to={`/settings/auth/${(auth.find((c) => !c.system) || auth[0]).name}`} replace />;
  }
  const collection = byIdOrName(name);
  if (!collection) return loading ? <Spinner label="Loading collection" /> : <p role="alert">No auth collection named {name}.</p>;
  return (
    <div className="settings-page">
      <header className="page-header">
        <h1>OAuth2 providers</h1>
        <nav aria-label="Auth collections" className="tabs">
          {auth.map((c) => <NavLink key={c.id} to={`/settings/auth/${c.name}`}>{c.name}</NavLink>)}
        </nav>
      </header>
      <p className="muted">
        Token lifetimes, password sign-in, OTP and MFA of {collection.name} are collection options, edited with its
        schema: <Link to={`/collections/${collection.name}/schema`}>auth options of {collection.name}</Link>.
      </p>
      <section aria-labelledby="oauth2-providers">
        <h2 id="oauth2-providers">OAuth2 of {collection.name}</h2>
        <OAuth2Form key={`o-${collection.id}-${collection.updated}`} collection={collection} onSaved={reload} />
      </section>
    </div>
  );
}
