// Vite build of the dashboard: served under /_/, hashed asset names (long-cached by the gateway and CloudFront).
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  base: "/_/",
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    // no inline module preload polyfill script: the CSP allows only same-origin scripts
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    port: 5173,
    proxy: { "/api": "http://127.0.0.1:8090" },
  },
});
