// Flags that take a number (or an address with a port), checked as the command line is read:
// before a router is asked for a password, connected to or written to. A value out of range is a
// usage error (exit 2) that names the flag and what it takes. Only plain decimal numbers are read:
// "0x10", "1e3", " 5" or an empty value are refused rather than quietly taken as something else.
import { parseApiEndpoint } from "../core/target.js";
import { UsageError } from "../errors.js";

const DECIMAL = /^\d+(\.\d+)?$/;
const INTEGER = /^\d+$/;

/** The longest time limit a flag accepts, in seconds (10 minutes). */
export const MAX_SECONDS = 600;

type Parser<T> = (text: string) => T;

/** Seconds in [min, max] (min itself excluded when `aboveMin`). */
export function seconds(flag: string, { min, max = MAX_SECONDS, aboveMin = false }: { min: number; max?: number; aboveMin?: boolean }): Parser<number> {
  const range = aboveMin ? `above ${min} and at most ${max}` : `from ${min} to ${max}`;
  return (text) => {
    const value = Number(text);
    const inRange = aboveMin ? value > min : value >= min;
    if (!DECIMAL.test(text) || !inRange || value > max) throw new UsageError(`${flag} ${JSON.stringify(text)}: must be a number of seconds ${range}`);
    return value;
  };
}

/** A whole number in [min, max]; `what` says what it is ("a TCP port"). */
export function integer(flag: string, min: number, max: number, what = "a whole number"): Parser<number> {
  return (text) => {
    const value = Number(text);
    if (!INTEGER.test(text) || value < min || value > max) throw new UsageError(`${flag} ${JSON.stringify(text)}: must be ${what} from ${min} to ${max}`);
    return value;
  };
}

export const port = (flag: string): Parser<number> => integer(flag, 1, 65535, "a TCP port");

/** A first port for the lab: 0 (any free ports), or an unprivileged port. */
export function portBase(flag: string): Parser<number> {
  return (text) => {
    const value = Number(text);
    if (!INTEGER.test(text) || !(value === 0 || (value >= 1024 && value <= 65535))) throw new UsageError(`${flag} ${JSON.stringify(text)}: must be a port from 1024 to 65535, or 0 for any free ports`);
    return value;
  };
}

/** A number above 0 and at most max. */
export function positive(flag: string, max: number): Parser<number> {
  return (text) => {
    const value = Number(text);
    if (!DECIMAL.test(text) || !(value > 0 && value <= max)) throw new UsageError(`${flag} ${JSON.stringify(text)}: must be a number above 0 and at most ${max}`);
    return value;
  };
}

/** An AS number (32 bits); whether it suits a peering (private, unused) is the wizard's to say. */
export const asn = (flag: string): Parser<number> => integer(flag, 1, 4_294_967_295, "an AS number");

/** host:port, the port 1-65535. */
export function apiEndpoint(flag: string): Parser<string> {
  return (text) => {
    if (parseApiEndpoint(text) === null) throw new UsageError(`${flag} ${JSON.stringify(text)}: use host:port, e.g. 172.16.20.1:8728`);
    return text;
  };
}
