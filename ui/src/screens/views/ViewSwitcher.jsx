// The view switcher of a collection: all records, then each saved view by name and type, and a new view.
import { useState } from "react";
import { NavLink, useNavigate } from "react-router";
import { ErrorBanner } from "../../lib/errors.jsx";
import { ViewEditor } from "./ViewEditor.jsx";
import { useViews } from "./useViews.js";
import "./views.css";

export function ViewSwitcher({ collection }) {
  const { views, error } = useViews(collection);
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const base = `/collections/${collection.name}`;
  return (
    <div className="view-switcher">
      <nav aria-label="Views">
        <ul>
          <li><NavLink end to={`${base}/records`}>All records</NavLink></li>
          {(views || []).map((v) => (
            <li key={v.id}>
              <NavLink to={`${base}/views/${v.id}`}>
                {v.name} <span className="view-type">{v.type}</span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <button type="button" className="btn btn-secondary btn-sm" onClick={() => setCreating(true)}>+ New view</button>
      <ErrorBanner error={error} />
      {creating && (
        <ViewEditor collection={collection} view={null} onClose={() => setCreating(false)}
          onSaved={(v) => { setCreating(false); navigate(`${base}/views/${v.id}`); }} />
      )}
    </div>
  );
}
