// The SSH transport to a Linux host against a real sshd: commands and their exit status, input,
// files written whole with their mode and read back, a command that outlives the time limit, and
// the host key pin.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouterError } from "../../src/errors.js";
import { LinuxShell, shellQuote, type LinuxSshTarget } from "../../src/platforms/linux-bird/ssh.js";
import { onCleanup } from "../helpers.js";
import type { Plan } from "../../src/core/plan.js";
import { backupOf, runSteps } from "../../src/platforms/linux-bird/apply.js";
import { MemoryJournal } from "../../src/platforms/routeros/apply/run.js";
import { makeHostCertificates, removeHostCertificates } from "../../src/platforms/linux-bird/certificates.js";
import { startNetlab, type Netlab } from "./netlab.js";

let lab: Netlab;
let target: LinuxSshTarget;
beforeAll(async () => {
  lab = await startNetlab([{ name: "vps", lan: "192.168.50.1/24", wans: 1, users: ["friend"] }]);
  const h = lab.hosts.vps!;
  target = { host: h.ssh.host, port: h.ssh.port, user: "root", keyFile: lab.key.file };
}, 60_000);
afterAll(() => lab?.teardown());

async function open(extra: Partial<LinuxSshTarget> = {}): Promise<LinuxShell> {
  const shell = await LinuxShell.connect({ ...target, ...extra });
  onCleanup(() => shell.close());
  return shell;
}

describe("LinuxShell", { timeout: 60_000 }, () => {
  it("runs commands as root inside the host, with their output and exit status", async () => {
    const shell = await open();
    expect(shell.root).toBe(true);
    expect(shell.hostKeyFingerprint).toBe(lab.hosts.vps!.ssh.hostKeyFingerprint);
    // Inside the host's namespace: its LAN is on lo.
    expect(await shell.must(["ip", "-4", "-o", "addr", "show", "dev", "lo"])).toContain(lab.hosts.vps!.lan);
    const failed = await shell.run(["sh", "-c", "echo out; echo err >&2; exit 7"]);
    expect(failed).toEqual({ stdout: "out\n", stderr: "err\n", code: 7 });
    await expect(shell.must(["sh", "-c", "echo no way >&2; exit 1"])).rejects.toThrow(/failed on .*: no way/);
    // Words reach the command as they are, quotes and all.
    const odd = ["it's", "a $HOME", "back\\slash", "`x`", ""];
    expect(await shell.must(["printf", "%s|", ...odd])).toBe(`${odd.join("|")}|`);
    expect(shellQuote("plain-word_1.2")).toBe("plain-word_1.2");
    expect(await shell.must(["cat"], { stdin: "from stdin\n" })).toBe("from stdin\n");
    expect(await shell.must(["sh", "-c", 'echo "$WG_TEST"'], { env: { WG_TEST: "set here" } })).toBe("set here\n");
  });

  it("writes a file whole with its mode, through a temporary file, and reads it back", async () => {
    const shell = await open();
    const path = "/etc/bird/bgpals-test.conf";
    onCleanup(() => lab.exec("vps", ["rm", "-f", path]));
    expect(await shell.readFile(path)).toBeNull();
    await shell.writeFile(path, "protocol static {}\n", 0o640);
    expect(await shell.readFile(path)).toBe("protocol static {}\n");
    // The host's own /etc/bird (/etc/netns/<ns>/bird), seen as /etc/bird only inside it.
    expect((await lab.exec("vps", ["stat", "-c", "%a", path])).stdout.trim()).toBe("640");
    await shell.writeFile(path, "second\n", 0o600);
    expect(await shell.readFile(path)).toBe("second\n");
    expect((await lab.exec("vps", ["stat", "-c", "%a", path])).stdout.trim()).toBe("600");
    // No temporary file is left beside it.
    expect((await lab.exec("vps", ["ls", "/etc/bird"])).stdout.split("\n").filter((f) => f.includes("bgpals-"))).toEqual(["bgpals-test.conf"]);
    await expect(shell.writeFile("/nonexistent-dir/x.conf", "x")).rejects.toThrow(/write \/nonexistent-dir\/x\.conf failed/);
  });

  it("gives up on a command silent for longer than the time limit, and says so", async () => {
    const shell = await open({ timeoutMs: 1500 });
    const error = await shell.run(["sleep", "30"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).kind).toBe("timeout");
    expect((error as Error).message).toContain("to sleep 30");
    expect(shell.closed).toBe(true);
  });

  it("refuses a user who is not root and has no passwordless sudo, saying so", async () => {
    const error = await LinuxShell.connect({ ...target, user: "friend" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).kind).toBe("bad-credentials");
    expect((error as Error).message).toMatch(/^cannot log in to friend@.* over SSH: friend is not root and cannot use sudo without a password \(sudo -n true: .+\); log in as root, or let friend run sudo without a password$/);
    // The login itself worked: the same key as root's, refused only for what it may do.
    expect(readFileSync(lab.hosts.vps!.ssh.log, "utf8")).toMatch(/Accepted publickey for friend/);
  });

  it("refuses a host key other than the pinned one before logging in", async () => {
    const error = await LinuxShell.connect({ ...target, knownHostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).kind).toBe("fingerprint-changed");
    expect((error as RouterError).actualFingerprint).toBe(lab.hosts.vps!.ssh.hostKeyFingerprint);
    // The pinned key, written as ssh-keygen prints it or with padding, is met.
    const shell = await open({ knownHostKey: `${lab.hosts.vps!.ssh.hostKeyFingerprint}=` });
    expect(shell.hostKeyFingerprint).toBe(lab.hosts.vps!.ssh.hostKeyFingerprint);
  });
});

describe("a file step that fails before it touches the file", { timeout: 60_000 }, () => {
  it("is undone by leaving the file as it was, not by removing it or putting back a backup it did not make whole", async () => {
    const shell = await open();
    // A full disk, on the host (a tmpfs of four pages, mounted in its sshd's mount namespace): the
    // user's file takes three, a backup lying from a run killed after its journal closed the
    // fourth, so this run's backup of the file cannot be made whole.
    const dir = (await shell.must(["mktemp", "-d", "/tmp/bgpals-undo-full-XXXXXX"])).trim();
    try {
      await shell.must(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir]);
      try {
        const file = `${dir}/bird.conf`;
        const had = `${"what the user had ".repeat(555)}\n`;
        await shell.must(["sh", "-c", 'cat > "$1"', "sh", file], { stdin: had });
        await shell.must(["sh", "-c", 'echo older > "$1"', "sh", backupOf(file)]);
        const plan: Plan = { changes: [{ op: "set", path: file, role: "file", attrs: { content: "bgpals's\n", mode: "0644" }, reason: "test" }], conflicts: [] };
        const result = await runSteps(shell, plan, new MemoryJournal(), {});
        expect(result.ok).toBe(false);
        expect(result.error?.message).toMatch(/No space left on device/);
        expect(result.undoProblems).toEqual([]);
        const now = (await shell.readFile(file)) ?? "";
        expect({ length: now.length, same: now === had }).toEqual({ length: had.length, same: true });
        // Neither the old backup nor a part of the new one is left.
        expect((await shell.must(["ls", "-A", dir])).split("\n").filter(Boolean)).toEqual(["bird.conf"]);
      } finally {
        await shell.must(["umount", dir]);
      }
    } finally {
      await shell.must(["rmdir", dir]);
    }
  });
});

describe("making a peering's OpenVPN certificates on the host", { timeout: 60_000 }, () => {
  it("leaves no temp dir behind, made anew or found there already", async () => {
    const shell = await open();
    // The script's temp dirs go in a dir of this test's (mktemp takes TMPDIR), so others' runs do not count.
    const tmp = (await shell.must(["mktemp", "-d", "/tmp/bgpals-certs-XXXXXX"])).trim();
    const inTmp = Object.assign(Object.create(shell) as LinuxShell, { run: (argv: readonly string[], options?: Parameters<LinuxShell["run"]>[1]) => shell.run(["env", `TMPDIR=${tmp}`, ...argv], options) });
    const peering = `tc${process.pid}`;
    try {
      const made = await makeHostCertificates(inTmp, peering, "server", ["203.0.113.10"]);
      expect(await shell.must(["ls", "-A", tmp])).toBe("");
      // Again: the certificates are there, the CA comes back the same (the early way out).
      expect(await makeHostCertificates(inTmp, peering, "server", ["203.0.113.10"])).toEqual(made);
      expect(await shell.must(["ls", "-A", tmp])).toBe("");
    } finally {
      await removeHostCertificates(shell, peering, "all");
      await shell.must(["rm", "-rf", tmp]);
    }
  });
});
