// The names a netlab run gives its namespaces: a prefix of the test run (so the suite's own check
// can tell its leaks from another run's on the same machine), then random characters.
import { createHash } from "node:crypto";

/** Every netlab namespace starts with this. */
export const NETLAB_PREFIX = "bgl";

/** The prefix of this test run's namespaces: from the suite's marker, or this process without one. */
export function runPrefix(marker: string = process.env.BGPALS_TEST_RUN ?? `pid-${process.pid}`): string {
  return `${NETLAB_PREFIX}${createHash("sha256").update(marker).digest("hex").slice(0, 4)}`;
}
