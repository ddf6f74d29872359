// A file field's input: the saved files as thumbnails (each removable), and new files to upload with local previews.
import { useEffect, useMemo } from "react";
import { FileThumb } from "./FileThumb.jsx";

const IMAGE = /^image\//;

export function FileInput({ field, label, draft, setDraft, record, describedBy }) {
  const saved = record ? [record[field.name]].flat().filter(Boolean) : [];
  const removed = draft.removed[field.name] || [];
  const added = draft.files[field.name] || [];
  const max = field.maxSelect || 1;

  function setRemoved(list) {
    setDraft((d) => ({ ...d, removed: { ...d.removed, [field.name]: list } }));
  }
  function setAdded(list) {
    setDraft((d) => ({ ...d, files: { ...d.files, [field.name]: list } }));
  }
  function pick(fileList) {
    const chosen = Array.from(fileList);
    if (max === 1) {
      // a single-file field replaces its file: the saved one goes when the new one is saved
      setAdded(chosen.slice(0, 1));
      if (chosen.length) setRemoved(saved);
    } else {
      setAdded([...added, ...chosen]);
    }
  }

  return (
    <div className="file-input" aria-describedby={describedBy}>
      {saved.length > 0 && (
        <ul className="file-list" aria-label={`${label}: saved files`}>
          {saved.map((name) => {
            const gone = removed.includes(name);
            return (
              <li key={name} className={gone ? "file-removed" : undefined}>
                <FileThumb record={record} field={field} name={name} />
                <span className="file-name">{name}</span>
                <button type="button" className="btn btn-secondary btn-sm"
                  onClick={() => setRemoved(gone ? removed.filter((n) => n !== name) : [...removed, name])}>
                  {gone ? `Keep ${name}` : `Remove ${name}`}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {added.length > 0 && <NewFiles files={added} onDrop={(f) => setAdded(added.filter((x) => x !== f))} />}
      <input type="file" aria-label={`Upload ${label}`} multiple={max > 1} accept={(field.mimeTypes || []).join(",") || undefined}
        onChange={(e) => { pick(e.target.files); e.target.value = ""; }} />
    </div>
  );
}

function NewFiles({ files, onDrop }) {
  const previews = useMemo(() => files.map((f) => (IMAGE.test(f.type) ? URL.createObjectURL(f) : "")), [files]);
  useEffect(() => () => previews.forEach((url) => url && URL.revokeObjectURL(url)), [previews]);
  return (
    <ul className="file-list" aria-label="Files to upload">
      {files.map((file, i) => (
        <li key={`${file.name}-${i}`}>
          {previews[i] ? <img className="thumb" src={previews[i]} alt="" width="40" height="40" /> : <span className="thumb thumb-doc" aria-hidden="true">FILE</span>}
          <span className="file-name">{file.name} (new)</span>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => onDrop(file)}>Don't upload {file.name}</button>
        </li>
      ))}
    </ul>
  );
}
