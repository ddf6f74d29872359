// The signed-in frame: skip link, top navigation, the signed-in superuser with sign-out, and the screen below.
import { NavLink, Outlet } from "react-router";
import { navItems } from "../../routes.jsx";
import { signOut, useSuperuser } from "../../lib/auth.jsx";
import { CollectionsProvider } from "../../lib/collections.jsx";

export function Shell() {
  const user = useSuperuser();
  return (
    <CollectionsProvider>
      <div className="app">
        <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
          Skip to content
        </a>
        <header className="topbar">
          <span className="brand">Lambdabase</span>
          <nav aria-label="Main">
            <ul className="topnav">
              {navItems.map((item) => (
                <li key={item.path}>
                  <NavLink to={item.path} className={({ isActive }) => (isActive ? "active" : undefined)}>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="topbar-user">
            <span className="muted" title="Signed in as">{user?.email}</span>
            <button type="button" className="btn btn-secondary btn-sm" onClick={signOut}>
              Sign out
            </button>
          </div>
        </header>
        <main id="main" className="app-body" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </CollectionsProvider>
  );
}

/** The place of a screen area whose screens are not part of this build yet. */
export function NotBuilt({ area }) {
  return (
    <div className="page">
      <h1>{area}</h1>
      <p className="muted">This screen is not part of this build yet.</p>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="page">
      <h1>Not found</h1>
      <p className="muted">There is no screen at this address.</p>
    </div>
  );
}
