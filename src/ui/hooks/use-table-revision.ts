// A frame timer for a store that changes faster than a screen should redraw (a route table filling
// at hundreds of thousands of routes a second): look at its revision every `everyMs` and re-render
// only when it moved. 33 ms matches Ink's own limit of 30 frames a second.
import { useEffect, useState } from "react";

export function useTableRevision(table: { readonly revision: number }, everyMs = 33): number {
  const [revision, setRevision] = useState(table.revision);
  useEffect(() => {
    setRevision(table.revision);
    const timer = setInterval(() => setRevision(table.revision), everyMs);
    return () => clearInterval(timer);
  }, [table, everyMs]);
  return revision;
}
