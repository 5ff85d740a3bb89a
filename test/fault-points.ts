// Where the fault tests (a fault, a kill or a Ctrl-C after the k-th step; a failure of the k-th
// write) inject their fault. Every k is a whole run with its undo or recovery, and a run costs more
// the larger k is: every k took minutes of the suite (on real hosts, through processes of their own).
// By default a sample that still covers every kind of step: the first and the last point, and for
// each run of steps of one kind (keys, files, tunnels, a menu, ...) the point k = i + 1 of its first
// step i (counted from 0): a fault after that step, or a failure of that write (writes counted
// from 1). So each kind is once the step the fault meets, and at the last point every earlier step
// is undone. BGPALS_FULL_FAULTS=1 runs every point.
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
