// Re-running a load on an interval while a screen needs fresh data (a delivery log, a running backup).
import { useEffect, useRef } from "react";

/**
 * Calls `load()` every `ms` while `active`, one call at a time (a slow answer is never overlapped), and not
 * while the tab is hidden. The latest `load` is used, so callers need not memoise it.
 */
export function usePolling(load, ms, active = true) {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    let timer;
    async function tick() {
      if (!document.hidden) {
        try {
          await latest.current();
        } catch {
          // the screen shows its own errors; polling just goes on
        }
      }
      if (!stopped) timer = setTimeout(tick, ms);
    }
    timer = setTimeout(tick, ms);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [ms, active]);
}
