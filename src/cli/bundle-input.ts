// Where a bundle given on the command line comes from: the text itself (bgpals1:...), `-` for
// stdin, or `@path` for a file. Chat windows wrap bundles: line breaks and spaces are dropped
// (openOffer and openAnswer do that), so a copied block works as it is.
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../errors.js";

export const BUNDLE_ARGUMENT_HELP = "the bundle (bgpals1:...), - to read it from stdin, or @path to read it from a file";

export function readBundleArgument(arg: string, what: "offer" | "answer", stdin: () => string = () => readFileSync(0, "utf8")): string {
  if (arg === "-") return nonEmpty(stdin(), what, "stdin");
  if (arg.startsWith("@")) {
    const path = arg.slice(1);
    if (path === "") throw new UsageError(`@ needs a file name after it, e.g. @${what}.txt`);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read the ${what} from ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
    return nonEmpty(text, what, path);
  }
  // A file name given bare would be taken for a bundle and refused as malformed: say how instead.
  if (!/^\s*bgpals\d*:/.test(arg) && existsSync(arg)) throw new UsageError(`${arg} is a file: to read the ${what} from it, write @${arg}`);
  return arg;
}

function nonEmpty(text: string, what: string, where: string): string {
  if (text.trim() === "") throw new UsageError(`no ${what} in ${where}: it is empty`);
  return text;
}
