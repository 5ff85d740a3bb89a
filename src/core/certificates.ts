// Checking a CA certificate that crosses in a bundle: its fingerprint and that it is a CA. Pure:
// node's X.509 parser, no files, no router.
import { X509Certificate } from "node:crypto";

/** The SHA-256 fingerprint of a PEM certificate, or null when the text is no certificate. */
export function pemFingerprint(pem: string): string | null {
  try {
    return new X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase();
  } catch {
    return null;
  }
}

/** True when the PEM holds a CA certificate (basicConstraints CA). */
export function pemIsAuthority(pem: string): boolean {
  try {
    return new X509Certificate(pem).ca;
  } catch {
    return false;
  }
}

/** A SHA-256 fingerprint as people write it: 64 hex digits, bare or after `sha256:`, any case. */
export const FINGERPRINT_PATTERN = "^([Ss][Hh][Aa]256:)?[0-9A-Fa-f]{64}$";
const FINGERPRINT = new RegExp(FINGERPRINT_PATTERN);

/** The fingerprint in the form RouterOS prints it (64 lower-case hex digits), or null when the text is none. */
export function normalizeFingerprint(text: string): string | null {
  return FINGERPRINT.test(text) ? text.replace(/^sha256:/i, "").toLowerCase() : null;
}
