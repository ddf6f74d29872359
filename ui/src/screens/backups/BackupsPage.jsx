// The backups screen: the archives (name, size, date), create one with its progress, download (with a file
// token), upload, restore after typing the backup's name, and delete.
import { useCallback, useEffect, useRef, useState } from "react";
import { ConfirmDialog, Modal } from "../../lib/dialog.jsx";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Field, Form, SubmitButton, useForm } from "../../lib/forms.jsx";
import { DataTable } from "../../lib/table.jsx";
import { formatApiDate, formatBytes } from "../../lib/dates.js";
import { pb } from "../../lib/pb.js";
import { usePolling } from "../../lib/polling.js";
import { Progress } from "../../lib/progress.jsx";
import { useToasts } from "../../lib/toasts.jsx";
import "../../styles/ops.css";

const JOB_POLL_MS = 1000;

/** Superusers' health: the create or restore running now (`data.backup`) and how the last one ended. */
async function backupJobs() {
  const health = await pb.health.check();
  return { running: health?.data?.backup || null, last: health?.data?.lastBackup || null };
}

export function BackupsPage() {
  const toasts = useToasts();
  const [backups, setBackups] = useState(null);
  const [error, setError] = useState(null);
  const [job, setJob] = useState(null);
  const [watching, setWatching] = useState(false);
  const [creating, setCreating] = useState(false);
  const [restoring, setRestoring] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [uploading, setUploading] = useState(null);
  const started = useRef(null); // {action, key} this page started, to say how it ended

  const reload = useCallback(async () => {
    try {
      const list = await pb.backups.getFullList();
      setBackups([...list].sort((a, b) => (a.modified < b.modified ? 1 : -1)));
      setError(null);
      return list;
    } catch (err) {
      setError(apiError(err));
      return null;
    }
  }, []);

  // Follows the running job until health no longer shows it, then reloads the list and says how it ended.
  const followJob = useCallback(async () => {
    const { running, last } = await backupJobs();
    setJob(running);
    if (running) return;
    setWatching(false);
    await reload();
    const mine = started.current;
    started.current = null;
    if (!mine) return;
    const verb = mine.action === "restore" ? "Restore of" : "Backup";
    const key = mine.key || last?.key || "";
    if (!last || last.action !== mine.action || (mine.key && last.key !== mine.key)) {
      // the job stopped without finishing (its messages went to the jobs queue's dead letters)
      setError({ message: `${verb} ${key} did not complete; see the jobs function's log.`, fields: {} });
    } else if (last.error) {
      setError({ message: `${verb} ${key} failed: ${last.error}`, fields: {} });
    } else {
      toasts.success(mine.action === "restore" ? `Restored ${key}.` : `Backup ${key} created.`);
    }
  }, [reload, toasts]);

  useEffect(() => {
    reload();
    backupJobs()
      .then(({ running }) => {
        setJob(running);
        setWatching(!!running);
      })
      .catch(() => {});
  }, [reload]);
  usePolling(followJob, JOB_POLL_MS, watching);

  function startWatching(action, key) {
    started.current = { action, key };
    setJob({ action, key, task: 0, tasks: 0 });
    setWatching(true);
  }

  async function download(key) {
    try {
      const token = await pb.files.getToken();
      const link = document.createElement("a");
      link.href = pb.backups.getDownloadURL(token, key);
      link.download = key;
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (err) {
      setError(apiError(err));
    }
  }

  async function upload(file) {
    setUploading(file.name);
    setError(null);
    try {
      await pb.backups.upload({ file });
      toasts.success(`Uploaded ${file.name}.`);
      await reload();
    } catch (err) {
      // The upload's errors name its `file` field, which has no input on screen: they go in the banner.
      const problem = apiError(err);
      const details = Object.values(problem.fields).join(" ");
      setError({ ...problem, message: `Upload of ${file.name} failed: ${problem.message}${details ? ` ${details}` : ""}` });
    } finally {
      setUploading(null);
    }
  }

  async function restore(key) {
    try {
      await pb.backups.restore(key);
      setRestoring(null);
      startWatching("restore", key);
    } catch (err) {
      setRestoring(null);
      setError(apiError(err));
    }
  }

  async function remove(key) {
    try {
      await pb.backups.delete(key);
      setDeleting(null);
      toasts.success(`Deleted ${key}.`);
      await reload();
    } catch (err) {
      setDeleting(null);
      setError(apiError(err));
    }
  }

  const busy = !!job || !!uploading;
  return (
    <div className="page">
      <header className="page-header">
        <h1>Backups</h1>
        <div className="toolbar">
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setCreating(true)} disabled={busy}>
            New backup
          </button>
          <UploadButton onFile={upload} disabled={busy} />
          <button type="button" className="btn btn-secondary btn-sm" onClick={reload}>
            Refresh
          </button>
        </div>
      </header>
      <p className="muted">
        A backup holds every table's items and every uploaded file in one zip. A restore replaces the app's data with the
        archive's; the API stays up meanwhile, so keep clients away until it ends.
      </p>
      <ErrorBanner error={error} />
      {job && <JobProgress job={job} />}
      {uploading && <Progress label={`Uploading ${uploading}`} />}
      <DataTable
        caption="Backups, newest first"
        columns={["Name", "Size", "Modified", { label: "Actions", hidden: true }]}
        count={backups?.length}
        loading={!backups && !error}
        empty={backups ? "No backups yet." : ""}
      >
        {(backups || []).map((b) => (
          <tr key={b.key}>
            <td className="cell-main mono">{b.key}</td>
            <td className="nowrap">{formatBytes(b.size)}</td>
            <td className="nowrap">{formatApiDate(b.modified)}</td>
            <td className="nowrap">
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => download(b.key)} aria-label={`Download ${b.key}`}>
                Download
              </button>{" "}
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => setRestoring(b.key)} disabled={busy} aria-label={`Restore ${b.key}`}>
                Restore
              </button>{" "}
              <button type="button" className="btn btn-danger btn-sm" onClick={() => setDeleting(b.key)} disabled={busy} aria-label={`Delete ${b.key}`}>
                Delete
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      <CreateDialog
        open={creating}
        onClose={() => setCreating(false)}
        onStarted={(key) => {
          setCreating(false);
          startWatching("create", key);
        }}
      />
      <ConfirmDialog
        open={!!restoring}
        title="Restore backup"
        typed={restoring || undefined}
        message={`Every record, collection, setting and file is replaced by the contents of ${restoring}. What is not in the archive is deleted.`}
        confirmLabel="Restore"
        onConfirm={() => restore(restoring)}
        onCancel={() => setRestoring(null)}
      />
      <ConfirmDialog
        open={!!deleting}
        title="Delete backup"
        message={`Delete ${deleting}?`}
        confirmLabel="Delete"
        onConfirm={() => remove(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}

function JobProgress({ job }) {
  const verb = job.action === "restore" ? "Restoring" : "Creating";
  const known = job.tasks > 0;
  const label = `${verb} ${job.key || "backup"}${known ? `: task ${Math.min(job.task + 1, job.tasks)} of ${job.tasks}` : ""}`;
  return (
    <div className="job-progress" role="status">
      <Progress label={label} value={known ? job.task : undefined} max={known ? job.tasks : 100} />
    </div>
  );
}

/** A name for the new archive (empty: PocketBase's generated pb_backup_<app>_<time>.zip). */
function CreateDialog({ open, onClose, onStarted }) {
  const form = useForm({ name: "" });
  async function create(values) {
    const name = values.name.trim();
    await pb.backups.create(name);
    // The 204 does not say the generated name; health names the running job's key (or the last, if it ended).
    const { running, last } = await backupJobs();
    form.setValues({ name: "" });
    onStarted(name || running?.key || last?.key || "");
  }
  return (
    <Modal open={open} title="New backup" onClose={onClose}>
      <Form form={form} onSubmit={create} aria-label="New backup">
        <Field form={form} name="name" label="Name" placeholder="pb_backup_myapp.zip" help="Optional: lowercase letters, digits, _ and -, ending in .zip. Empty: a name with the app's name and the time." />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <SubmitButton form={form}>Start backup</SubmitButton>
        </div>
      </Form>
    </Modal>
  );
}

/** Picks a zip to upload: a labelled button that opens the hidden file input. */
function UploadButton({ onFile, disabled }) {
  const input = useRef(null);
  return (
    <>
      <button type="button" className="btn btn-secondary btn-sm" onClick={() => input.current?.click()} disabled={disabled}>
        Upload backup
      </button>
      <input
        ref={input}
        type="file"
        accept=".zip,application/zip"
        className="visually-hidden"
        aria-label="Backup file to upload"
        tabIndex={-1}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) onFile(file);
        }}
      />
    </>
  );
}
