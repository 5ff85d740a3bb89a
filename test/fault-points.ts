// Where the fault tests (a fault, a kill, a Ctrl-C after the k-th step) inject their fault. Every
// k is a full run with its undo or recovery, and the cost of a run grows with k: all of them took
// minutes on real hosts. By default a sample that still covers every kind of step: the first and
// the last point, and, for each run of steps of one kind (keys, files, tunnels, routes, ...), the
// point right after its first step, so each kind is once the newest step made when the fault
// comes, and the last point has every earlier step undone. BGPALS_FULL_FAULTS=1 runs every point.
export const FULL_FAULTS_ENV = "BGPALS_FULL_FAULTS";

export const fullFaults = (): boolean => process.env[FULL_FAULTS_ENV] === "1";

/**
 * The fault points from `from` to `to` (inclusive), where the fault after step k comes when the
 * steps before it (`kinds[0..k-1]`, their kinds) are made.
 */
export function faultPoints(kinds: readonly string[], from: number, to: number): number[] {
  const all = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  if (fullFaults()) return all;
  const picked = new Set([from, to]);
  kinds.forEach((kind, i) => {
    if (i === 0 || kinds[i - 1] !== kind) picked.add(i + 1);
  });
  return all.filter((k) => picked.has(k));
}
