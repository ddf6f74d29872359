// Files storage (S3) and the backups schedule (cron, how many to keep, their own S3), each with an S3 test.
import { useState } from "react";
import { apiError, ErrorBanner } from "../../lib/errors.jsx";
import { Spinner } from "../../lib/forms.jsx";
import { pb } from "../../lib/pb.js";
import { SettingsForm, SettingsPage } from "./settingsForm.jsx";

function s3Specs(prefix) {
  return [
    { path: `${prefix}.enabled`, label: "Use an S3-compatible storage", type: "checkbox" },
    { path: `${prefix}.bucket`, label: "Bucket" },
    { path: `${prefix}.region`, label: "Region" },
    { path: `${prefix}.endpoint`, label: "Endpoint", type: "url" },
    { path: `${prefix}.accessKey`, label: "Access key" },
    { path: `${prefix}.secret`, label: "Secret", type: "secret" },
    { path: `${prefix}.forcePathStyle`, label: "Force path-style addressing", type: "checkbox" },
  ];
}

/** POST /api/settings/test/s3 for `filesystem` ("storage" or "backups"): the saved settings are tested. */
function S3Test({ filesystem }) {
  const [state, setState] = useState({ busy: false, ok: false, error: null });
  async function run() {
    setState({ busy: true, ok: false, error: null });
    try {
      await pb.settings.testS3(filesystem);
      setState({ busy: false, ok: true, error: null });
    } catch (err) {
      setState({ busy: false, ok: false, error: apiError(err) });
    }
  }
  return (
    <div className="row-actions" aria-live="polite">
      <button type="button" className="btn btn-secondary" onClick={run} disabled={state.busy} aria-busy={state.busy || undefined}>
        {state.busy && <Spinner />} Test the saved S3 connection
      </button>
      {state.ok && <span className="alert alert-success" role="status">The S3 connection works: a test file was written and deleted.</span>}
      <ErrorBanner error={state.error} />
    </div>
  );
}

export function StorageSettings() {
  return (
    <SettingsPage title="Files storage" intro="Files stay in the deployment's own S3 bucket: these settings are validated and kept as PocketBase keeps them, and the test below checks them, but files are not moved to another storage.">
      {(settings, setSettings) => (
        <SettingsForm label="Files storage settings" settings={settings} onSaved={setSettings}
                      groups={[{ legend: "S3 storage", specs: s3Specs("s3") }]}
                      extra={() => <S3Test filesystem="storage" />} />
      )}
    </SettingsPage>
  );
}

const SCHEDULE = [
  { path: "backups.cron", label: "Cron expression", help: "Five fields, e.g. 0 0 * * * for every midnight (UTC); empty turns automatic backups off." },
  { path: "backups.cronMaxKeep", label: "Automatic backups to keep", type: "number", min: 1 },
];

export function BackupsScheduleSettings() {
  return (
    <SettingsPage title="Backups schedule" intro="Automatic backups: when they run, how many are kept, and where they are stored.">
      {(settings, setSettings) => (
        <SettingsForm label="Backups schedule settings" settings={settings} onSaved={setSettings}
                      groups={[{ legend: "Schedule", specs: SCHEDULE }, { legend: "Backups S3 storage", specs: s3Specs("backups.s3") }]}
                      extra={() => <S3Test filesystem="backups" />} />
      )}
    </SettingsPage>
  );
}
