// The collections area without a selection: what there is, and where to start.
import { Link } from "react-router";
import { useCollections } from "../../lib/collections.jsx";

export function CollectionsIndex() {
  const { list } = useCollections();
  const own = list.filter((c) => !c.system);
  return (
    <>
      <h1>Collections</h1>
      {own.length ? (
        <p>Pick a collection in the sidebar to see its records, schema and API.</p>
      ) : (
        <p>
          No collections yet. <Link to="/collections/new/schema">Create the first one</Link>.
        </p>
      )}
    </>
  );
}
