// --read-only as the command line gave it: apart from read-only.ts, which loads the platforms, so
// that reading the flags (and `bgpals --help`) does not.
let flagGiven = false;

/** The command line said --read-only. */
export function setReadOnlyFlag(): void {
  flagGiven = true;
}

export function readOnlyFlagGiven(): boolean {
  return flagGiven;
}
