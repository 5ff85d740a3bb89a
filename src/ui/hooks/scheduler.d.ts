// The two calls of React's scheduler (the package React renders with) that the key hub uses.
declare module "scheduler" {
  export const unstable_NormalPriority: number;
  export function unstable_scheduleCallback(priority: number, callback: () => void): unknown;
}
