// Application settings: name and URL, batch requests, and the trusted proxy that decides the client's IP.
import { SettingsForm, SettingsPage } from "./settingsForm.jsx";

const GROUPS = [
  {
    legend: "Application",
    specs: [
      { path: "meta.appName", label: "Application name" },
      { path: "meta.appURL", label: "Application URL", type: "url", help: "The base of the links in account emails." },
    ],
  },
  {
    legend: "Batch API",
    help: "POST /api/batch: several record writes in one transaction.",
    specs: [
      { path: "batch.enabled", label: "Enable batch requests", type: "checkbox" },
      { path: "batch.maxRequests", label: "Max requests in a batch", type: "number" },
      { path: "batch.timeout", label: "Timeout (seconds)", type: "number" },
      { path: "batch.maxBodySize", label: "Max body size (bytes, 0 for the default)", type: "number" },
    ],
  },
  {
    legend: "Trusted proxy",
    help: "Headers whose address is the client's real IP (rate limits, sign-in throttles, logs). Leave empty straight behind API Gateway.",
    specs: [
      { path: "trustedProxy.headers", label: "Headers (comma-separated)", type: "list", help: "e.g. X-Forwarded-For, CF-Connecting-IP" },
      { path: "trustedProxy.useLeftmostIP", label: "Use the leftmost address (only behind a CDN that overwrites the header)", type: "checkbox" },
    ],
  },
];

export function ApplicationSettings() {
  return (
    <SettingsPage title="Application">
      {(settings, setSettings) => <SettingsForm label="Application settings" settings={settings} groups={GROUPS} onSaved={setSettings} />}
    </SettingsPage>
  );
}
