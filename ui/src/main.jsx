// Entry point: styles, providers and the hash router over routes.jsx.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createHashRouter, RouterProvider } from "react-router";
import "./styles/index.css";
import { routes } from "./routes.jsx";
import { ToastProvider } from "./lib/toasts.jsx";

const router = createHashRouter(routes);

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <ToastProvider>
      <RouterProvider router={router} />
    </ToastProvider>
  </StrictMode>,
);
