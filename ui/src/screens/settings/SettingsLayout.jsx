// The settings area: its own sidebar of sections (as PocketBase's) beside the selected section.
import { Navigate, NavLink, Outlet } from "react-router";
import "../../styles/admin.css";

const SECTIONS = [
  ["application", "Application"],
  ["mail", "Mail"],
  ["storage", "Files storage"],
  ["backups", "Backups schedule"],
  ["rate-limits", "Rate limits"],
  ["auth", "OAuth2 providers"],
];

export function SettingsLayout() {
  return (
    <div className="with-sidebar">
      <aside className="sidebar" aria-label="Settings">
        <nav aria-label="Settings sections" className="settings-nav">
          <ul>
            {SECTIONS.map(([path, label]) => (
              <li key={path}>
                <NavLink to={`/settings/${path}`} className={({ isActive }) => (isActive ? "active" : undefined)}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="page">
        <Outlet />
      </div>
    </div>
  );
}

export function SettingsIndex() {
  return <Navigate to="/settings/application" replace />;
}
