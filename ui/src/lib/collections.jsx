// The collections list every screen shares (sidebar, pickers, records): loaded once, reloaded after schema changes.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { pb } from "./pb.js";

const CollectionsContext = createContext(null);

export function CollectionsProvider({ children }) {
  const [list, setList] = useState([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const all = await pb.collections.getFullList({ sort: "name" });
      setList(all);
      setError(null);
      return all;
    } catch (err) {
      setError(err);
      return null;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    reload();
  }, [reload]);

  const value = useMemo(
    () => ({
      list,
      loading,
      error,
      reload,
      byIdOrName: (key) => list.find((c) => c.id === key || c.name === key) || null,
    }),
    [list, loading, error, reload],
  );
  return <CollectionsContext.Provider value={value}>{children}</CollectionsContext.Provider>;
}

/** {list, loading, error, reload(), byIdOrName(key)} */
export function useCollections() {
  return useContext(CollectionsContext);
}
