// The collections area: the sidebar of collections (search, system ones apart) beside the selected screen.
import { useState } from "react";
import { Link, NavLink, Outlet } from "react-router";
import { useCollections } from "../../lib/collections.jsx";
import { Spinner } from "../../lib/forms.jsx";

export function CollectionsLayout() {
  return (
    <div className="with-sidebar">
      <CollectionsSidebar />
      <div className="page">
        <Outlet />
      </div>
    </div>
  );
}

const TYPE_MARK = { base: "B", auth: "A", view: "V" };

function CollectionsSidebar() {
  const { list, loading } = useCollections();
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const shown = list.filter((c) => !needle || c.name.toLowerCase().includes(needle));
  const own = shown.filter((c) => !c.system);
  const system = shown.filter((c) => c.system);
  return (
    <aside className="sidebar" aria-label="Collections">
      <div className="sidebar-head">
        <label htmlFor="collections-search" className="visually-hidden">Search collections</label>
        <input id="collections-search" type="search" placeholder="Search collections..." value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {loading && !list.length ? <Spinner label="Loading collections" /> : null}
      <nav aria-label="Collections list">
        <ul className="sidebar-list">
          {own.map((c) => <SidebarItem key={c.id} collection={c} />)}
        </ul>
        {!loading && !own.length && <p className="muted sidebar-empty">No collections{needle ? " found" : " yet"}.</p>}
        {system.length > 0 && (
          <details className="sidebar-system" open={!!needle}>
            <summary>System</summary>
            <ul className="sidebar-list">
              {system.map((c) => <SidebarItem key={c.id} collection={c} />)}
            </ul>
          </details>
        )}
      </nav>
      <div className="sidebar-foot">
        <Link to="/collections/new/schema" className="btn btn-primary btn-block">
          + New collection
        </Link>
        <div className="sidebar-links">
          <Link to="/collections/-/import">Import</Link>
          <Link to="/collections/-/export">Export</Link>
        </div>
      </div>
    </aside>
  );
}

function SidebarItem({ collection }) {
  return (
    <li>
      <NavLink to={`/collections/${collection.name}`} className={({ isActive }) => (isActive ? "active" : undefined)}>
        <span className={`type-mark type-${collection.type}`} aria-hidden="true" title={`${collection.type} collection`}>
          {TYPE_MARK[collection.type] || "?"}
        </span>
        <span className="sidebar-name">{collection.name}</span>
        {collection.type !== "base" && <span className="visually-hidden"> ({collection.type} collection)</span>}
      </NavLink>
    </li>
  );
}
