// A frame timer for a store that changes faster than a screen should redraw (a route table filling
// at hundreds of thousands of routes a second): look at its revision every `everyMs` and re-render
// only when it moved: 30 frames a second (FRAME_MS), which the app's Ink (INK_MAX_FPS) never holds back.
import { useEffect, useState } from "react";
import { FRAME_MS } from "../frames.js";

export function useTableRevision(table: { readonly revision: number }, everyMs = FRAME_MS): number {
  const [revision, setRevision] = useState(table.revision);
  useEffect(() => {
    setRevision(table.revision);
    const timer = setInterval(() => setRevision(table.revision), everyMs);
    return () => clearInterval(timer);
  }, [table, everyMs]);
  return revision;
}
