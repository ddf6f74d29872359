// The one route table (hash routes, as PocketBase's UI: /_/#/collections/...). Each screen area adds its lines here.
import { Navigate } from "react-router";
import { GuestOnly, RequireSuperuser } from "./screens/auth/guards.jsx";
import { SignIn } from "./screens/auth/SignIn.jsx";
import { Installer } from "./screens/auth/Installer.jsx";
import { Shell, NotBuilt, NotFound } from "./screens/shell/Shell.jsx";
import { CollectionsLayout } from "./screens/collections/CollectionsLayout.jsx";
import { CollectionsIndex } from "./screens/collections/CollectionsIndex.jsx";
import { CollectionHome, CollectionIndexRedirect } from "./screens/collections/CollectionHome.jsx";
import { SchemaScreen } from "./screens/collections/SchemaEditor.jsx";
import { ApiPreview } from "./screens/collections/ApiPreview.jsx";
import { ExportCollections, ImportCollections } from "./screens/collections/ImportExport.jsx";
import { LogsPage } from "./screens/logs/LogsPage.jsx";
import { WebhooksIndex, WebhooksLayout } from "./screens/webhooks/WebhooksLayout.jsx";
import { WebhookScreen } from "./screens/webhooks/WebhookScreen.jsx";
import { BackupsPage } from "./screens/backups/BackupsPage.jsx";
import { RecordsPage } from "./screens/records/RecordsPage.jsx";
import { SavedViewPage } from "./screens/views/SavedViewPage.jsx";
import { PublicFormPage } from "./screens/views/PublicForm.jsx";
// areas `users` and `settings` (ui-admin)
import { UsersIndex, UsersScreen } from "./screens/users/UsersScreen.jsx";
import { SettingsLayout, SettingsIndex } from "./screens/settings/SettingsLayout.jsx";
import { ApplicationSettings } from "./screens/settings/ApplicationSettings.jsx";
import { MailSettings } from "./screens/settings/MailSettings.jsx";
import { StorageSettings, BackupsScheduleSettings } from "./screens/settings/StorageSettings.jsx";
import { RateLimitsSettings } from "./screens/settings/RateLimitsSettings.jsx";
import { AuthCollectionSettings } from "./screens/settings/AuthCollectionSettings.jsx";

// The top navigation, in PocketBase's order plus webhooks and backups; `path` is the area's first route.
export const navItems = [
  { label: "Collections", path: "/collections" },
  { label: "Users", path: "/users" },
  { label: "Logs", path: "/logs" },
  { label: "Webhooks", path: "/webhooks" },
  { label: "Backups", path: "/backups" },
  { label: "Settings", path: "/settings" },
];

export const routes = [
  { path: "/login", element: <GuestOnly><SignIn /></GuestOnly> },
  // the one-time first-run link `make run` prints while no superuser exists (PocketBase's #/pbinstall/{token})
  { path: "/pbinstall/:token", element: <Installer /> },
  // area `views`: a public form's shareable page, for guests (no sign-in)
  { path: "/forms/:slug", element: <PublicFormPage /> },
  {
    path: "/",
    element: <RequireSuperuser><Shell /></RequireSuperuser>,
    children: [
      { index: true, element: <Navigate to="/collections" replace /> },

      // area `collections` (schema editor, API preview)
      {
        path: "collections",
        element: <CollectionsLayout />,
        children: [
          { index: true, element: <CollectionsIndex /> },
          // "-" is in no collection name (PocketBase's names are \w+), so these never shadow a collection
          { path: "-/import", element: <ImportCollections /> },
          { path: "-/export", element: <ExportCollections /> },
          {
            path: ":collection",
            element: <CollectionHome />,
            children: [
              { index: true, element: <CollectionIndexRedirect /> },
              // area `records` and `views` (ui-data): the records grid, and each saved view by id
              { path: "records", element: <RecordsPage /> },
              { path: "views/:view", element: <SavedViewPage /> },
              // area `collections`
              { path: "schema", element: <SchemaScreen /> },
              { path: "api", element: <ApiPreview /> },
            ],
          },
        ],
      },

      // area `users`: auth collections' records; :recordId is a record id or "new"
      { path: "users", element: <UsersIndex /> },
      { path: "users/:collection", element: <UsersScreen /> },
      { path: "users/:collection/:recordId", element: <UsersScreen /> },

      // areas `logs`, `webhooks`, `backups` (ui-ops)
      { path: "logs", element: <LogsPage /> },
      {
        path: "webhooks",
        element: <WebhooksLayout />,
        children: [
          { index: true, element: <WebhooksIndex /> },
          { path: ":id", element: <WebhookScreen /> },
        ],
      },
      { path: "backups", element: <BackupsPage /> },

      // area `settings`
      {
        path: "settings",
        element: <SettingsLayout />,
        children: [
          { index: true, element: <SettingsIndex /> },
          { path: "application", element: <ApplicationSettings /> },
          { path: "mail", element: <MailSettings /> },
          { path: "storage", element: <StorageSettings /> },
          { path: "backups", element: <BackupsScheduleSettings /> },
          { path: "rate-limits", element: <RateLimitsSettings /> },
          { path: "auth", element: <AuthCollectionSettings /> },
          { path: "auth/:collection", element: <AuthCollectionSettings /> },
        ],
      },

      { path: "*", element: <NotFound /> },
    ],
  },
];
