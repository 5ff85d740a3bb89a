// The command line. Subcommands load their modules lazily so `--help` stays fast.
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { UserError } from "../errors.js";
import { apiEndpoint, asn, port, portBase, positive, seconds } from "./flags.js";
import { BUNDLE_ARGUMENT_HELP } from "./bundle-input.js";
import { setReadOnlyFlag } from "./read-only-flag.js";
import { jsonRequested, usageDocument } from "./json-output.js";

const EXIT_CODES = "Exit codes: 0 ok, 1 error (a clear message says why), 2 usage.";
const ACCEPT_PUBLIC_HELP = "a prefix outside private space you confirm your friend may send, e.g. 203.0.113.0/24 (repeatable; kept in your config for this peering)";
const FRIEND_INPUT_HELP =
  "Your friend may send only private space (10/8, 172.16/12, 192.168/16, 100.64/10) unless you confirm\n" +
  "a public prefix with --accept-public; more than a /8, a default route in pieces, or an endpoint inside\n" +
  "your networks or tunnel subnets is always refused (docs/offer-accept-complete.md).";
const THEME_HELP = "the screens' colours: default, or mono (none; also NO_COLOR=1, or \"theme\" in the config file)";
const collectValues = (value: string, previous: string[] = []) => [...previous, value];

/** The version in the package's own package.json (two levels above dist/cli/ and dist/bundle/), whoever starts it. */
function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    if (typeof manifest.version === "string") return manifest.version;
  } catch {
    // A copy without its package.json still answers --help; --version says it does not know.
  }
  return "unknown";
}

export function buildProgram(write: (text: string) => void, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command("bgpals")
    .description("BGP among friends: a private, encrypted intranet between two home networks (MikroTik RouterOS, or Linux with BIRD)")
    .version(packageVersion(), "-V, --version")
    .addHelpText("after", `\n${EXIT_CODES}\nDocs: README.md and docs/ in the bgpals package.`)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: (s) => process.stderr.write(s) })
    .option("--read-only", "never write to any router: what would write is refused (also BGPALS_READ_ONLY=1, or \"readOnly\": true in the config file)")
    // Read by main() when no command follows: `bgpals --theme mono` opens the screens in mono.
    .option("--theme <name>", THEME_HELP)
    .hook("preAction", () => {
      if (program.opts().readOnly) setReadOnlyFlag();
    });

  program
    .command("render")
    .description("print one side of a peering file as its router's configuration: RouterOS commands, or a Linux host's files and commands (offline)")
    .argument("<peering.json>", "peering file (bgpals/peering@1)")
    .option("--side <name>", "which side to render (one of the file's two sides)")
    .option("--routeros <version>", "target RouterOS version (default: the side's platform.version; RouterOS sides only)")
    .addOption(new Option("--format <format>", "rsc: a script to paste (a Linux host: its files, then commands); json: API paths and attributes (a Linux host: files and commands)").choices(["rsc", "json"]).default("rsc"))
    .option("--peers <dir>", "peers directory checked for ASN and prefix collisions (default: <config>/peers)")
    .option("--accept-public <prefix>", ACCEPT_PUBLIC_HELP, collectValues)
    .addHelpText("after", `\nExample:\n  bgpals render peers/s1-alice-remi.peering.json --side alice --routeros 7.24\n\n${FRIEND_INPUT_HELP}\n\n${EXIT_CODES}`)
    .action(async (file: string, flags) => {
      const { renderCommand } = await import("./render.js");
      renderCommand(file, flags, write);
    });

  program
    .command("demo")
    .description("the screens on the built-in lab: walk through a whole peering as alice and remi (ctrl+o switches; c copies a bundle, ctrl+v pastes it on the other side)")
    .option("--theme <name>", THEME_HELP)
    .addHelpText("after", `\nNeeds a terminal. Nothing outside a temporary directory is touched, and it goes when the demo ends.\n\n${EXIT_CODES}`)
    .action(async (flags: { theme?: string }) => {
      const { runDemo } = await import("./demo.js");
      // The program's own --theme takes it wherever it stands (`bgpals --theme mono demo` too).
      await runDemo({ theme: flags.theme ?? program.opts<{ theme?: string }>().theme });
    });

  program
    .command("lab")
    .description("run simulated RouterOS routers (the built-in lab) in the foreground")
    .option("--routers <names>", "comma-separated lab routers: alice (7.24), remi (7.19.6), carol (6.49), dana (7.22.3, a DHCP Ethernet WAN and a PPPoE backup) (default: alice, remi and carol, unless --router is given)")
    .option("--router <name=version[:file]>", "a lab router of any RouterOS 6 or 7 version: a built-in one at another version, or one described by a personality file (docs/lab.md) (repeatable)", collectValues)
    .option("--port-base <port>", "first API port; router i gets port-base+2i (API) and +2i+1 (API-SSL); default: any free ports", portBase("--port-base"))
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--clock-factor <n>", "lab seconds per real second (e.g. 10: a 30 s hold timer expires in 3 s)", positive("--clock-factor", 1000))
    .addHelpText(
      "after",
      `\nThe first line of output is one JSON object: {"routers": [{"name", "version", "host", "port", "tlsPort", "user", "password"}]}.\nFaults are injected through each router's own API: /lab/wan-down, /lab/reboot, ... (docs/lab.md).\n\n${EXIT_CODES}`,
    )
    .action(async (flags) => {
      const { labCommand } = await import("./lab.js");
      await labCommand(flags, write);
    });

  const routerOption = () => new Option("--router <router>", "router profile name, user@host[:port] (RouterOS; password from BGPALS_PASSWORD), or ssh://user@host[:port] (a Linux host with BIRD)");
  const keyOption = () => new Option("--key <file>", "SSH private key for an ssh:// router (default: the keys of ssh-agent)");
  const timeoutOption = () => new Option("--timeout <seconds>", "how long to wait for the router to answer (default 10, at most 600)").argParser(seconds("--timeout", { min: 0, aboveMin: true }));
  const collect = collectValues;
  const peeringOptions = (cmd: Command) =>
    cmd
      .addOption(routerOption())
      .addOption(keyOption())
      .addOption(timeoutOption())
      .option("--tls", "API-SSL (port 8729) for a user@host router; the certificate is pinned on first use")
      .option("--peering <file>", "the peering file (bgpals/peering@1)")
      .option("--side <name>", "which side of the peering this router is")
      .option("--peers <dir>", "peers directory checked for ASN and prefix collisions (default: <config>/peers)")
      .option("--accept-public <prefix>", ACCEPT_PUBLIC_HELP, collect)
      .option("--json", "machine-readable output");

  const router = program.command("router").description("router profiles (stored with file mode 0600; passwords are never stored)");
  router
    .command("add")
    .description("add or replace a router profile")
    .argument("<name>", "profile name")
    .option("--host <address>", "router address, or ssh://user@host[:port] for a Linux host with BIRD (reached over SSH)")
    .option("--port <port>", "API port (default 8728, or 8729 with --tls; SSH: 22)", port("--port"))
    .option("--user <user>", "RouterOS user (default admin; SSH: from the ssh:// address)")
    .option("--tls", "use API-SSL")
    .option("--key <file>", "SSH private key for an ssh:// host (default: the keys of ssh-agent)")
    .option("--save-password", "keep the password in the OS keyring (from BGPALS_PASSWORD_<NAME>, BGPALS_PASSWORD, or asked; BGPALS_KEYRING=off never uses the keyring)")
    .option("--json", "machine-readable output")
    .action(async (name: string, flags) => (await import("./router-commands.js")).routerAdd(name, flags, write));
  router
    .command("list")
    .description("list router profiles")
    .option("--json", "machine-readable output")
    .action(async (flags) => (await import("./router-commands.js")).routerList(flags, write));
  router
    .command("remove")
    .description("remove a router profile (nothing on the router changes)")
    .argument("<name>", "profile name")
    .action(async (name: string) => (await import("./router-commands.js")).routerRemove(name, write));

  program
    .command("inventory")
    .description("what a router has: version, WAN candidates, LANs, BGP, IP Cloud, firewall, ports in use")
    .addOption(routerOption())
    .addOption(keyOption())
    .addOption(timeoutOption())
    .option("--tls", "API-SSL for a user@host router")
    .option("--json", "machine-readable output")
    .addHelpText("after", `\n${EXIT_CODES}`)
    .action(async (flags) => (await import("./router-commands.js")).inventoryCommand(flags, write));

  peeringOptions(program.command("plan").description("the exact changes applying a peering would make on a router (+ add, ~ set, - remove)"))
    .addOption(new Option("--format <format>", "text, json or rsc").choices(["text", "json", "rsc"]))
    .option("--resolve <name=address>", "address of an endpoint name, instead of this computer's DNS (repeatable)", collect)
    .addHelpText("after", `\nExample:\n  BGPALS_PASSWORD=... bgpals plan --router admin@192.168.0.1 --peering peers/remi.json --side alice\n\n${EXIT_CODES}`)
    .action(async (flags) => setExitCode(await (await import("./router-commands.js")).planCommand(flags, write)));
  const waitLockOption = () => new Option("--wait-lock <seconds>", "when another bgpals run holds the router, wait this long for it (default: refuse at once; at most 3600)").argParser(seconds("--wait-lock", { min: 0, max: 3600 }));
  const LOCK_HELP = `Every command that writes takes the router's lock first (then reads, plans and writes) and
journals each write before sending it (docs/safety.md). If an earlier run on this router was
interrupted, --yes undoes it first and then goes on; without --yes nothing is written and the
message says what to run (bgpals recover, bgpals unlock). Ctrl-C undoes what the run wrote.`;
  for (const [name, remove] of [["apply", false], ["remove", true]] as const) {
    peeringOptions(program.command(name).description(remove ? "remove exactly the peering's objects from a router, all or nothing" : "apply a peering to a router, all or nothing (any failure undoes what was done)"))
      .option("--yes", "really change the router (and undo an interrupted run on it first)")
      .addOption(waitLockOption())
      .option("--resolve <name=address>", "address of an endpoint name, instead of this computer's DNS (repeatable)", collect)
      .option("--sequential", "send one command at a time instead of pipelining")
      .addHelpText("after", `\nOpenVPN PPP passwords come from BGPALS_PPP_PASSWORD_<LINK> (e.g. BGPALS_PPP_PASSWORD_ISP1), or from where\noffer, accept and complete kept them (the OS keyring, or encrypted in <config>/secrets.json).\n\n${LOCK_HELP}\n\n${EXIT_CODES}`)
      .action(async (flags) => setExitCode(await (await import("./router-commands.js")).applyCommand(flags, remove, write)));
  }
  program
    .command("unlock")
    .description("show who holds a router's bgpals lock; with --yes, remove it")
    .addOption(routerOption())
    .addOption(keyOption())
    .addOption(timeoutOption())
    .option("--tls", "API-SSL for a user@host router")
    .option("--yes", "remove the lock")
    .option("--json", "machine-readable output")
    .addHelpText("after", `\nA lock whose run is gone (this computer, process not running; or no heartbeat for 60 s) is\nreplaced by the next run on its own: unlock is for the rest. If this computer's journal holds an\ninterrupted run on the router, undo it with bgpals recover.\n\n${EXIT_CODES}`)
    .action(async (flags) => setExitCode(await (await import("./router-commands.js")).unlockCommand(flags, write)));
  program
    .command("recover")
    .description("say what an interrupted run left on a router; with --yes, undo it and read the router back")
    .addOption(routerOption())
    .addOption(keyOption())
    .addOption(timeoutOption())
    .option("--tls", "API-SSL for a user@host router")
    .option("--yes", "undo it")
    .addOption(waitLockOption())
    .addHelpText("after", `\nThe journal of each router is in <config>/journal/ (mode 0600; secrets in it are encrypted with your\nidentity key). Exit 0 when the router read back as it was before the interrupted run.\n\n${EXIT_CODES}`)
    .action(async (flags) => setExitCode(await (await import("./router-commands.js")).recoverCommand(flags, write)));
  program
    .command("status")
    .description("tunnels, BGP sessions and the friends' routes on a router")
    .addOption(routerOption())
    .addOption(keyOption())
    .addOption(timeoutOption())
    .option("--tls", "API-SSL for a user@host router")
    .option("--json", "machine-readable output (with --watch: one JSON event a line)")
    .option("--watch", "keep watching: tunnels, sessions, prefixes arriving, best paths moving, until Ctrl-C")
    .option("--interval <seconds>", "with --watch: slowest look at the router (default 2; RouterOS 7 changes arrive at once)", seconds("--interval", { min: 0.1 }))
    .addHelpText("after", `\n${EXIT_CODES}`)
    .action(async (flags) => (await import("./router-commands.js")).statusCommand(flags, write));

  program
    .command("why")
    .description("why was this prefix accepted or filtered? replays it through each session's input filter on the router")
    .argument("<prefix>", "e.g. 192.168.42.0/24")
    .addOption(routerOption())
    .addOption(keyOption())
    .addOption(timeoutOption())
    .option("--tls", "API-SSL for a user@host router")
    .option("--session <name>", "only this BGP session (default: every bgpals session)")
    .option("--json", "machine-readable output")
    .addHelpText("after", `\n${EXIT_CODES}`)
    .action(async (prefix: string, flags) => setExitCode(await (await import("./router-commands.js")).whyCommand(prefix, flags, write)));

  program
    .command("export")
    .description("the router's whole configuration (/export terse), over SSH; the host key is pinned on first use")
    .addOption(routerOption())
    .addOption(timeoutOption())
    .option("--ssh-port <port>", "SSH port (default 22)", port("--ssh-port"))
    .addHelpText("after", `\nKeys from ssh-agent (SSH_AUTH_SOCK) are offered, then the router password.\n\n${EXIT_CODES}`)
    .action(async (flags) => (await import("./router-commands.js")).exportCommand(flags, write));

  const wizardOptions = (cmd: Command) =>
    cmd
      .addOption(routerOption())
      .addOption(keyOption())
      .addOption(timeoutOption())
      .addOption(waitLockOption())
      .option("--tls", "API-SSL for a user@host router")
      .option("--peers <dir>", "peers directory (default: <config>/peers)")
      .option("--json", "machine-readable output: {\"bundle\", \"fingerprint\"}");
  wizardOptions(program.command("offer").description("operator A: prepare your router and print a signed offer bundle for your friend"))
    .option("--me <name>", "your name (creates your identity key on first use)")
    .option("--friend <name>", "your friend's name")
    .option("--asn <asn>", "your private ASN", asn("--asn"))
    .option("--networks <prefixes>", "comma-separated networks you announce (default: your router's LANs)")
    .option("--link <name:kind:interface>", "a tunnel per ISP, kind wireguard or ovpn, e.g. isp1:wireguard:ether1 (repeatable)", collect)
    .option("--primary <link>", "the preferred link (default: the first)")
    .option("--endpoint <link=host>", "where your friend reaches that WAN: needed when its address is behind NAT (RFC 1918, CGNAT) or dynamic (PPPoE, DHCP); default: its public static address, or your IP Cloud name for the one WAN the cloud sees", collect)
    .option("--name <peering>", "peering name (default: <me>-<friend>)")
    .option("--monitor-account", "grant your friend's monitor a read-only account on your router (its password is chosen by your friend and comes back sealed in the answer)")
    .option("--monitor-api <host:port>", "where your friend's monitor reaches your router's API (default: your tunnel address on the primary link, port 8728)", apiEndpoint("--monitor-api"))
    .option("--replace", "replace the peering you already have with a friend of that name (peers/<friend>.json)")
    .addHelpText("after", `\nExamples:\n  bgpals offer --router home --me alice --friend remi --asn 64514 --networks 192.168.0.0/24 \\\n    --link isp1:wireguard:vlan832-orange-internet --link isp2:wireguard:sfp-wan-sfr --primary isp1\n  bgpals offer --router home --me alice --friend carol --asn 64514 --link isp1:ovpn:vlan832-orange-internet\n    (OpenVPN: your router becomes the server; its CA certificate goes into the offer)\n\n${EXIT_CODES}`)
    .action(async (flags) => (await import("./wizard-commands.js")).offerCommand(flags, write));
  wizardOptions(program.command("accept").description("operator B: check the offer, apply your side, print the answer bundle"))
    .argument("<bundle>", `the offer: ${BUNDLE_ARGUMENT_HELP}`)
    .option("--me <name>", "your name")
    .option("--asn <asn>", "your private ASN", asn("--asn"))
    .option("--networks <prefixes>", "comma-separated networks you announce (default: your router's LANs)")
    .option("--wan <link=interface>", "which of your WANs carries each link (repeatable)", collect)
    .option("--resolve <name=address>", "address of an endpoint name, instead of this computer's DNS (repeatable)", collect)
    .option("--monitor-account", "grant your friend's monitor a read-only account on your router (password sealed in the answer)")
    .option("--monitor-api <host:port>", "where your friend's monitor reaches your router's API (default: your tunnel address on the primary link, port 8728)", apiEndpoint("--monitor-api"))
    .option("--accept-public <prefix>", ACCEPT_PUBLIC_HELP, collect)
    .option("--replace", "replace a peering or friend key you already keep under the sender's name")
    .option("--yes", "really change your router (and undo an interrupted run on it first)")
    .addHelpText("after", `\nThe same offer accepted again (the answer was lost) prints the answer kept in <config>/outbox, and writes nothing.\n\n${FRIEND_INPUT_HELP}\n\n${LOCK_HELP}\n\n${EXIT_CODES}`)
    .action(async (bundle: string, flags) => (await import("./wizard-commands.js")).acceptCommand(bundle, flags, write));
  wizardOptions(program.command("complete").description("operator A: check the answer and apply your side"))
    .argument("<answer>", `the answer: ${BUNDLE_ARGUMENT_HELP}`)
    .option("--me <name>", "your name (default: your identity's)")
    .option("--resolve <name=address>", "address of an endpoint name, instead of this computer's DNS (repeatable)", collect)
    .option("--accept-public <prefix>", ACCEPT_PUBLIC_HELP, collect)
    .option("--replace", "replace a peering or friend key you already keep under the sender's name")
    .option("--yes", "really change your router (and undo an interrupted run on it first)")
    .addHelpText("after", `\n${FRIEND_INPUT_HELP}\n\n${LOCK_HELP}\n\n${EXIT_CODES}`)
    .action(async (bundle: string, flags) => (await import("./wizard-commands.js")).completeCommand(bundle, flags, write));

  program
    .command("prefer")
    .description("primary/backup toggle: make a link the preferred one on every link of a peering (local-pref in, prepend out), or apply a friend's prefer bundle")
    .argument("[bundle]", "a prefer bundle your friend sent (bgpals1:...); then --friend and --primary come from it")
    .addOption(routerOption())
    .addOption(keyOption())
    .addOption(timeoutOption())
    .option("--tls", "API-SSL for a user@host router")
    .option("--peers <dir>", "peers directory holding <friend>.json (default: <config>/peers)")
    .option("--friend <name>", "whose peering (peers/<name>.json)")
    .option("--primary <link>", "the link to prefer, e.g. isp2")
    .option("--yes", "really change the router (and undo an interrupted run on it first); without it the prediction and the changes are printed and nothing is written")
    .addOption(waitLockOption())
    .option("--wait <seconds>", "how long to watch the friend's prefixes move after the apply (default 30, 0: do not watch)", seconds("--wait", { min: 0 }))
    .option("--qr", "print the prefer bundle as a QR code too (their phone reads it off your screen)")
    .option("--json", "machine-readable output: one JSON object {prediction, plan, applied, observed, bundle, fingerprint, ...}")
    .addHelpText(
      "after",
      `\nLocal-pref steers only how your router reaches your friend; the way back is your friend's choice
(your prepend only suggests it). With --yes, prefer prints a signed prefer bundle: send it to your
friend, who runs \`bgpals prefer <bundle> --router <theirs> --yes\` so both sides agree.

Examples:
  bgpals prefer --router home --friend remi --primary isp2            # preview, writes nothing
  bgpals prefer --router home --friend remi --primary isp2 --yes
  bgpals prefer bgpals1:... --router home --yes                       # your friend's request

${EXIT_CODES}`,
    )
    .action(async (bundle: string | undefined, flags) => setExitCode(await (await import("./prefer-commands.js")).preferCommand(bundle, flags, write)));

  program
    .command("clear")
    .description("restart a peering's BGP sessions held down by the max-prefix limit (limit-exceeded)")
    .addOption(routerOption())
    .addOption(keyOption())
    .addOption(timeoutOption())
    .option("--tls", "API-SSL for a user@host router")
    .option("--peers <dir>", "peers directory holding <friend>.json (default: <config>/peers)")
    .option("--friend <name>", "whose peering (peers/<name>.json)")
    .option("--link <link>", "only this link's session (default: every tripped session of the peering)")
    .option("--wait <seconds>", "how long to wait for a cleared session to establish again (default 10)", seconds("--wait", { min: 0 }))
    .addOption(waitLockOption())
    .option("--yes", "undo an interrupted run on the router first")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      `\nRouterOS 7: /routing/bgp/session clear. RouterOS 6 has no clear: the peer is disabled and enabled again.
Only sessions that tripped the limit are touched. If the friend still sends too many prefixes,
the session trips again at once and clear exits 1.

${EXIT_CODES}`,
    )
    .action(async (flags) => setExitCode(await (await import("./prefer-commands.js")).clearCommand(flags, write)));

  return program;
}

/** The flags of the screens when the command line holds nothing else (`bgpals --theme mono`); null otherwise. */
export function screensFlags(argv: readonly string[]): { theme?: string; readOnly?: boolean } | null {
  const flags: { theme?: string; readOnly?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--read-only") flags.readOnly = true;
    else if (arg === "--theme" && i + 1 < argv.length) flags.theme = argv[++i];
    else if (arg.startsWith("--theme=")) flags.theme = arg.slice("--theme=".length);
    else return null;
  }
  return flags;
}

const USAGE_CODES = new Set([
  "commander.unknownOption",
  "commander.unknownCommand",
  "commander.missingArgument",
  "commander.optionMissingArgument",
  "commander.missingMandatoryOptionValue",
  "commander.invalidArgument",
  "commander.excessArguments",
  "commander.conflictingOption",
]);

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  // --json: one document on stdout whatever happens; an error writes its own when the command wrote none.
  const json = jsonRequested(argv);
  let written = false;
  const out = (s: string) => {
    written = true;
    process.stdout.write(s);
  };
  const jsonError = (document: object) => {
    if (json === "lines" || (json === "document" && !written)) out(`${JSON.stringify(document)}\n`);
  };
  const program = buildProgram(out, (c) => (code = c));
  try {
    // No command on a terminal: the screens. Without one (pipes, CI), the overview below.
    const screens = screensFlags(argv);
    if (screens !== null && process.stdin.isTTY && process.stdout.isTTY) {
      if (screens.readOnly) setReadOnlyFlag();
      const { openTui } = await import("./tui.js");
      await openTui(screens);
      return 0;
    }
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      const usage = USAGE_CODES.has(e.code);
      if (usage) jsonError(usageDocument(e.message));
      return usage ? 2 : e.exitCode;
    }
    if (json !== null) jsonError((await import("./error-document.js")).errorDocument(e));
    return reportError(e);
  }
}

function reportError(error: unknown, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
  if (error instanceof UserError) {
    // A message that starts with bgpals already says who speaks ("bgpals needs a terminal").
    for (const line of error.message.split("\n")) write(line === "" ? "" : /^bgpals\b/.test(line) ? line : `bgpals: ${line}`);
    return error.exitCode;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  write(`bgpals: internal error: ${e.message}`);
  if (process.env.BGPALS_DEBUG) write(e.stack ?? "");
  else write("bgpals: this is a bug; run again with BGPALS_DEBUG=1 for details and report it");
  return 1;
}
