// A grid of one collection's records with its toolbar, pager, bulk delete and side panel (all records or a grid view).
import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { pb } from "../../lib/pb.js";
import { ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import { BulkDelete } from "./BulkDelete.jsx";
import { ColumnsMenu } from "./ColumnsMenu.jsx";
import { FilterBar } from "./FilterBar.jsx";
import { Grid } from "./Grid.jsx";
import { Pager } from "./Pager.jsx";
import { RecordPanel, RecordPanelById } from "./RecordPanel.jsx";
import { expandFor, gridFields, isViewCollection } from "./fieldTypes.js";
import { useLiveRecords } from "./useLiveRecords.js";

const PER_PAGE = 30;

/**
 * `prefs` {fields: names|null, widths} are the visible columns and widths; `onPrefs(prefs)` keeps them (the
 * session for all records, the view record for a grid view). `readPage(params)` answers a list page.
 */
export function GridScreen({ collection, prefs, onPrefs, readPage, toolbarExtra }) {
  const [page, setPage] = useState(1);
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState("");
  const [widths, setWidths] = useState(prefs.widths || {});
  const [selected, setSelected] = useState(new Set());
  const [params, setParams] = useSearchParams();
  const toasts = useToasts();

  const all = useMemo(() => gridFields(collection), [collection]);
  const columns = useMemo(() => {
    if (!prefs.fields) return all;
    return prefs.fields.map((name) => all.find((f) => f.name === name)).filter(Boolean);
  }, [all, prefs.fields]);
  const expand = expandFor(columns);

  const load = useCallback(
    () => readPage({ page, perPage: PER_PAGE, filter, sort, expand }),
    [readPage, page, filter, sort, expand],
  );
  const live = useLiveRecords(collection, `${collection.id}|${page}|${filter}|${sort}|${expand}|${readPage.key || ""}`, load, { expand });
  const items = live.data?.items || [];

  const openId = params.get("record");
  const openRecord = openId === "new" ? null : items.find((r) => r.id === openId) || null;
  function open(id) {
    const next = new URLSearchParams(params);
    if (id) next.set("record", id);
    else next.delete("record");
    setParams(next);
  }

  function saved(record) {
    if (live.data?.items?.some((r) => r.id === record.id)) {
      live.setData((d) => ({ ...d, items: d.items.map((r) => (r.id === record.id ? record : r)) }));
    } else {
      live.reload();
    }
  }

  function setWidth(name, width, transient = false) {
    const next = { ...widths, [name]: width };
    setWidths(next);
    if (!transient) onPrefs({ ...prefs, widths: next });
  }

  return (
    <div className="records-layout">
      <div className="records-main">
        <div className="toolbar">
          <FilterBar collection={collection} value={filter} onApply={(f) => { setPage(1); setFilter(f); }} />
          <ColumnsMenu all={all} shown={columns} onChange={(names) => onPrefs({ ...prefs, fields: names })} />
          {!isViewCollection(collection) && <button type="button" className="btn btn-primary" onClick={() => open("new")}>+ New record</button>}
          {toolbarExtra?.({ filter, sort, clearFilter: () => setFilter("") })}
        </div>
        <ErrorBanner error={live.error} />
        {selected.size > 0 && !isViewCollection(collection) && (
          <BulkDelete collection={collection} ids={[...selected]} onDone={(count) => {
            setSelected(new Set());
            toasts.success(`Deleted ${count} record${count === 1 ? "" : "s"}.`);
            live.reload();
          }} onClear={() => setSelected(new Set())} />
        )}
        {!live.data && live.loading && <Spinner label="Loading records" />}
        {live.data && (
          <>
            <Grid collection={collection} columns={columns} widths={widths} onWidth={setWidth} sort={sort}
              onSort={(s) => { setPage(1); setSort(s); }} items={items} selected={selected} onSelected={setSelected}
              onOpen={(r) => open(r.id)} onSaved={saved} expand={expand} />
            <Pager data={live.data} loading={live.loading} onPage={setPage} />
          </>
        )}
      </div>
      {openId && (openId === "new" || openRecord) && (
        <RecordPanel key={openId} collection={collection} record={openRecord} expand={expand}
          onSaved={(r) => { saved(r); if (openId === "new") open(r.id); }}
          onDeleted={() => { open(null); live.reload(); }} onClose={() => open(null)} />
      )}
      {/* a link to a record on another page (or filtered out) still opens it */}
      {openId && openId !== "new" && !openRecord && live.data && (
        <RecordPanelById key={openId} collection={collection} id={openId} onChanged={live.reload} onClose={() => open(null)} />
      )}
    </div>
  );
}

/** A list page of the collection itself (the all-records grid). */
export function collectionReader(collection) {
  const read = ({ page, perPage, filter, sort, expand }) =>
    pb.collection(collection.id).getList(page, perPage, { filter, sort, expand });
  read.key = `all-${collection.id}`;
  return read;
}
