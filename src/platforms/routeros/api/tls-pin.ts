// API-SSL certificate pinning on first use. Routers serve self-signed certificates that no CA
// vouches for, so bgpals remembers the SHA-256 fingerprint seen on the first connection (the caller
// stores it with the router profile) and refuses a different certificate later.
import { createHash } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { routerError, type Endpoint } from "./errors.js";

/** SHA-256 of a DER certificate as openssl prints it: upper-case hex pairs joined by colons. */
export function fingerprintOf(cert: { readonly raw: Buffer } | Buffer): string {
  const der = Buffer.isBuffer(cert) ? cert : cert.raw;
  return colonHex(createHash("sha256").update(der).digest("hex"));
}

/**
 * A stored fingerprint in the openssl form, whatever way it was written down: RouterOS's
 * `/certificate print` shows lower-case hex without colons.
 */
export function normalizeFingerprint(text: string): string {
  return colonHex(text.replace(/[^0-9a-fA-F]/g, ""));
}

/** The fingerprint of the certificate the peer presented on this socket; null if it sent none. */
export function peerFingerprint(socket: TLSSocket): string | null {
  const cert = socket.getPeerCertificate();
  // An anonymous-DH session (router without a certificate) yields an empty object.
  return cert.raw === undefined ? null : fingerprintOf(cert);
}

/**
 * Compares what the router presented with what was stored. Returns the fingerprint to store (the
 * presented one on first use); throws a `fingerprint-changed` RouterError when they differ.
 */
export function checkPin(known: string | null | undefined, actual: string | null, endpoint: Endpoint): string | null {
  if (known === null || known === undefined || known.trim() === "") return actual;
  const expected = normalizeFingerprint(known);
  if (actual !== null && normalizeFingerprint(actual) === expected) return actual;
  throw routerError("fingerprint-changed", endpoint, { expectedFingerprint: expected, actualFingerprint: actual });
}

function colonHex(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(":");
}
