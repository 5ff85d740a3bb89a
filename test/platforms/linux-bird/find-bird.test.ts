// Discovery takes the running BIRD daemon of the host's network namespace, never a bird that only
// prints its version or checks a file (`bird --version`, `bird -p`): that one's command line has no
// socket, and every birdc would then go to the default one (seen under load: "BIRD's control socket
// /run/bird/bird.ctl" on a host whose BIRD listens elsewhere). Run in a network namespace of its own
// (unshare -n), with stand-in birds: shell scripts named bird (their comm) that block on a fifo.
import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIND_BIRD } from "../../../src/platforms/linux-bird/router.js";
import { tempDir } from "../../helpers.js";

/** find_bird's answer (pid, then its command line's words) with a one-shot bird started before the daemon. */
function findWith(oneShot: string[]): { found: string[]; oneShot: string; daemon: string } {
  const dir = tempDir("bgpals-findbird-");
  execFileSync("mkfifo", [join(dir, "hold")]);
  writeFileSync(join(dir, "bird"), '#!/bin/sh\nread -r x < "$(dirname "$0")/hold"\n');
  chmodSync(join(dir, "bird"), 0o755);
  const script = [
    'dir=$1; shift',
    // The one-shot first: a lower pid, which the loop over /proc meets first.
    '"$dir/bird" "$@" & one=$!',
    '"$dir/bird" -f -s "$dir/bird.ctl" -c "$dir/bird.conf" & daemon=$!',
    // Until both run the script, not the shell that forked them.
    'for i in $(seq 50); do [ "$(cat /proc/$one/comm /proc/$daemon/comm 2>/dev/null)" = "$(printf "bird\\nbird")" ] && break; sleep 0.02; done',
    ...FIND_BIRD,
    // find_bird's own variables (d, c, comm) are the shell's too: these names are not among them.
    'echo "oneshot $one daemon $daemon"; find_bird',
    'kill $one $daemon; wait 2>/dev/null; exit 0',
  ].join("\n");
  const out = execFileSync("unshare", ["-n", "sh", "-c", script, "sh", dir, ...oneShot], { encoding: "utf8", timeout: 10_000 }).trim().split("\n");
  const [, oneShotPid, , daemonPid] = out[0]!.split(" ");
  return { found: out.slice(1), oneShot: oneShotPid!, daemon: daemonPid! };
}

describe("finding the host's BIRD", () => {
  for (const oneShot of [["--version"], ["-p", "-c", "/etc/bird/bird.conf"]]) {
    it(`takes the daemon, not a \`bird ${oneShot.join(" ")}\` running beside it`, () => {
      const { found, oneShot: other, daemon } = findWith(oneShot);
      expect(other).not.toBe(daemon);
      expect(found[0]).toBe(daemon);
      expect(found).toContain("-s");
      expect(found[found.indexOf("-s") + 1]).toMatch(/bird\.ctl$/);
    });
  }
});
