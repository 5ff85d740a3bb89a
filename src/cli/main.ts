// The command line. Subcommands load their modules lazily so `--help` stays fast.
import { Command, CommanderError, Option } from "commander";
import { reportError, UsageError } from "./errors.js";

const EXIT_CODES = "Exit codes: 0 ok, 1 error (a clear message says why), 2 usage.";

export function buildProgram(write: (text: string) => void): Command {
  const program = new Command("bgpals")
    .description("BGP among friends: a private, encrypted intranet between two MikroTik RouterOS home networks")
    .version(process.env.npm_package_version ?? "0.1.0", "-V, --version")
    .addHelpText("after", `\n${EXIT_CODES}\nDocs: README.md and docs/ in the bgpals package.`)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: (s) => process.stderr.write(s) });

  program
    .command("render")
    .description("print one side of a peering file as RouterOS commands (offline, no router)")
    .argument("<peering.json>", "peering file (bgpals/peering@1)")
    .option("--side <name>", "which side to render (one of the file's two sides)")
    .option("--routeros <version>", "target RouterOS version (default: the side's platform.version)")
    .addOption(new Option("--format <format>", "rsc: a script to paste; json: API paths and attributes").choices(["rsc", "json"]).default("rsc"))
    .option("--peers <dir>", "peers directory checked for ASN and prefix collisions (default: <config>/peers)")
    .addHelpText("after", `\nExample:\n  bgpals render peers/s1-alice-remi.peering.json --side alice --routeros 7.24\n\n${EXIT_CODES}`)
    .action(async (file: string, flags) => {
      const { renderCommand } = await import("./render.js");
      renderCommand(file, flags, write);
    });

  program
    .command("lab")
    .description("run simulated RouterOS routers (the built-in lab) in the foreground")
    .option("--routers <names>", "comma-separated lab routers: alice (7.24), remi (7.19.6), carol (6.49)", "alice,remi,carol")
    .option("--port-base <port>", "first API port; router i gets port-base+2i (API) and +2i+1 (API-SSL); default: any free ports")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--clock-factor <n>", "lab seconds per real second (e.g. 10: a 30 s hold timer expires in 3 s)")
    .addHelpText(
      "after",
      `\nThe first line of output is one JSON object: {"routers": [{"name", "version", "host", "port", "tlsPort", "user", "password"}]}.\nFaults are injected through each router's own API: /lab/wan-down, /lab/reboot, ... (docs/lab.md).\n\n${EXIT_CODES}`,
    )
    .action(async (flags) => {
      const { labCommand } = await import("./lab.js");
      await labCommand(flags, write);
    });

  return program;
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
  const program = buildProgram((s) => process.stdout.write(s));
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return USAGE_CODES.has(e.code) ? 2 : e.exitCode;
    }
    if (e instanceof UsageError) return reportError(e);
    return reportError(e);
  }
}
