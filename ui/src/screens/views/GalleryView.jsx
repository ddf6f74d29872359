// A gallery view: a card per record with its cover thumbnail (the view's `covers`), a page at a time.
import { useCallback, useEffect, useState } from "react";
import { ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { CellValue } from "../records/CellValue.jsx";
import { fileToken } from "../records/FileThumb.jsx";
import { Pager } from "../records/Pager.jsx";
import { RecordPanelById } from "../records/RecordPanel.jsx";
import { cardFields, expandFor, gridFields, recordLabel } from "../records/fieldTypes.js";
import { useLiveRecords } from "../records/useLiveRecords.js";
import { readView } from "./useViews.js";

const PER_PAGE = 24;
const CARD_FIELDS = 3;

export function GalleryView({ collection, view }) {
  const [page, setPage] = useState(1);
  const [openId, setOpenId] = useState(null);
  const [token, setToken] = useState("");
  const expand = expandFor(gridFields(collection));
  const load = useCallback(() => readView(collection, view, { page, perPage: PER_PAGE, expand }), [collection, view, page, expand]);
  const live = useLiveRecords(collection, `${view.id}|${page}`, load, { patch: false });
  const coverField = view.options?.coverField;
  const shown = cardFields(collection, view.fields, [coverField], CARD_FIELDS);

  // protected covers carry no token in the answer (it may be cached): the caller appends its own
  const needsToken = !!live.data?.coverProtected;
  useEffect(() => {
    if (needsToken) fileToken().then(setToken, () => setToken(""));
  }, [needsToken]);
  const coverUrl = (id) => {
    const path = live.data?.covers?.[id];
    if (!path) return "";
    return needsToken && token ? `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}` : path;
  };

  return (
    <div className="records-layout">
      <div className="records-main">
        <ErrorBanner error={live.error} />
        {!live.data && <Spinner label="Loading cards" />}
        <ul className="gallery" aria-label={`${view.name} cards`}>
          {(live.data?.items || []).map((record) => {
            const cover = coverUrl(record.id);
            return (
              <li key={record.id} className="gallery-card">
                {cover ? <img src={cover} alt={`Cover of ${recordLabel(record, collection)}`} className="gallery-cover" width="200" height="150" loading="lazy" />
                  : <div className="gallery-cover gallery-nocover" aria-hidden="true">No cover</div>}
                <button type="button" className="card-title" onClick={() => setOpenId(record.id)}>{recordLabel(record, collection)}</button>
                <dl className="card-fields">
                  {shown.map((f) => <div key={f.name}><dt>{f.name}</dt><dd><CellValue field={f} record={record} /></dd></div>)}
                </dl>
              </li>
            );
          })}
        </ul>
        {live.data && <Pager data={live.data} loading={live.loading} onPage={setPage} />}
      </div>
      {openId && <RecordPanelById key={openId} collection={collection} id={openId} onChanged={live.reload} onClose={() => setOpenId(null)} />}
    </div>
  );
}
