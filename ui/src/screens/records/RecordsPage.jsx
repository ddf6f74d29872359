// /collections/:collection/records: the view switcher over the all-records grid, its columns kept for the session.
import { useMemo, useState } from "react";
import { useSelectedCollection } from "../collections/CollectionHome.jsx";
import { ViewSwitcher } from "../views/ViewSwitcher.jsx";
import { collectionReader, GridScreen } from "./GridScreen.jsx";
import "./records.css";

const PREFS_PREFIX = "lb_grid_";

function loadPrefs(collectionId) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(PREFS_PREFIX + collectionId) || "null");
    return { fields: Array.isArray(saved?.fields) ? saved.fields : null, widths: saved?.widths || {} };
  } catch {
    return { fields: null, widths: {} };
  }
}

export function RecordsPage() {
  const collection = useSelectedCollection();
  return (
    <>
      <ViewSwitcher collection={collection} />
      <AllRecords key={collection.id} collection={collection} />
    </>
  );
}

function AllRecords({ collection }) {
  const [prefs, setPrefs] = useState(() => loadPrefs(collection.id));
  const reader = useMemo(() => collectionReader(collection), [collection]);
  function keep(next) {
    setPrefs(next);
    sessionStorage.setItem(PREFS_PREFIX + collection.id, JSON.stringify(next));
  }
  return <GridScreen collection={collection} prefs={prefs} onPrefs={keep} readPage={reader} />;
}
