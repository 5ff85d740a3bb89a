// The size the screens lay out for: the terminal's, or a fixed one (tests, embedding).
import { useStdout } from "ink";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

export interface TerminalSize {
  columns: number;
  rows: number;
}

// What a terminal that says nothing about itself most likely is, and what every screen must fit.
export const MIN_SIZE: TerminalSize = { columns: 80, rows: 24 };

const SizeContext = createContext<TerminalSize>(MIN_SIZE);

function measure(stdout: NodeJS.WriteStream): TerminalSize {
  return { columns: stdout.columns || MIN_SIZE.columns, rows: stdout.rows || MIN_SIZE.rows };
}

export function TerminalSizeProvider({ fixed, children }: { fixed?: TerminalSize; children: ReactNode }) {
  const { stdout } = useStdout();
  const [measured, setMeasured] = useState(() => measure(stdout));
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setMeasured(measure(stdout));
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, fixed]);
  return <SizeContext.Provider value={fixed ?? measured}>{children}</SizeContext.Provider>;
}

export function useTerminalSize(): TerminalSize {
  return useContext(SizeContext);
}
