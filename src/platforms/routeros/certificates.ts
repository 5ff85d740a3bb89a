// OpenVPN certificates on a router, over the API only, the same way on RouterOS 6 and 7:
// - made on the router (`/certificate add` + `sign`): the private key never leaves it;
// - a CA's public certificate read back through `export-certificate type=pem`, which writes a
//   file whose `contents` the API prints;
// - a friend's CA put on the router by writing the PEM into a file (`/file add contents=` on 7;
//   `/file print file=` then `/file set contents=` on 6, which has no `/file add`), then
//   `/certificate import file-name=`, and renamed (RouterOS 6 import takes no name).
// No SSH or SFTP is needed, so a router reachable by its API alone is enough.
import { pemFingerprint } from "../../core/certificates.js";
import { UserError } from "../../errors.js";
import type { RouterClient } from "./api/client.js";
import type { Dialect } from "./dialects.js";

export interface CaCertificate {
  /** PEM of the CA certificate (public). */
  pem: string;
  /** SHA-256 of its DER, 64 lower-case hex digits, as RouterOS prints it. */
  fingerprint: string;
}

/** The router did not make, export or import a certificate as asked: expected, its message says what. */
export { pemFingerprint };

export class CertificateError extends UserError {}

const CA_DAYS = "3650";
const LEAF_DAYS = "3650";

async function byName(client: RouterClient, name: string): Promise<Record<string, string> | undefined> {
  return (await client.print("/certificate", { query: { name } }))[0];
}

/** What `subject-alt-name` says for the names a client dials: `DNS:` a name, `IP:` an address. */
export function subjectAltName(serverNames: readonly string[]): string {
  return [...new Set(serverNames)].map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
}

/**
 * A CA and one certificate it signs (the OpenVPN server's or client's), made on the router; what is
 * there already (an earlier offer's CA, the other role's leaf) is kept. A server certificate names
 * the endpoints clients dial (RouterOS 7's verify-server-certificate checks the name it dialled
 * against the certificate's CN and subject-alt-name). Returns the CA's public certificate.
 */
export async function makeCertificates(client: RouterClient, names: { ca: string; leaf: string }, role: "server" | "client", serverNames: readonly string[] = []): Promise<CaCertificate> {
  const [ca, leaf] = [await byName(client, names.ca), await byName(client, names.leaf)];
  const usable = (c: Record<string, string> | undefined) => c?.fingerprint !== undefined && (c["private-key"] === "true" || c["private-key"] === "yes");
  if (usable(ca) && usable(leaf) && leaf?.ca === names.ca) return exportCa(client, names.ca);
  if (ca !== undefined && !usable(ca)) throw new CertificateError(`the router already has a certificate named ${names.ca} that cannot sign (not signed here, or no private key): remove it (or the unfinished peering) first`);
  if (leaf !== undefined) throw new CertificateError(`the router already has a certificate named ${names.leaf}${ca === undefined ? "" : ` not signed by ${names.ca}`}: remove it (or the unfinished peering) first`);
  // Key generation takes a while on small routers.
  const slow = { timeoutMs: 120_000 };
  if (ca === undefined) {
    await client.add("/certificate", { name: names.ca, "common-name": names.ca, "key-usage": "key-cert-sign,crl-sign", "days-valid": CA_DAYS, "key-size": "2048" });
    await client.run("/certificate/sign", { numbers: names.ca }, slow);
  }
  const san: Record<string, string> = role === "server" && serverNames.length > 0 ? { "subject-alt-name": subjectAltName(serverNames) } : {};
  await client.add("/certificate", {
    name: names.leaf,
    // A client that checks the name finds the first endpoint as the CN too (and every one in the SAN).
    "common-name": role === "server" && serverNames.length > 0 ? serverNames[0]! : names.leaf,
    ...san,
    "key-usage": role === "server" ? "digital-signature,key-encipherment,tls-server" : "digital-signature,key-encipherment,tls-client",
    "days-valid": LEAF_DAYS,
    "key-size": "2048",
  });
  await client.run("/certificate/sign", { numbers: names.leaf, ca: names.ca }, slow);
  return exportCa(client, names.ca);
}

async function exportCa(client: RouterClient, ca: string): Promise<CaCertificate> {
  const fileBase = `${ca}-export`;
  await client.run("/certificate/export-certificate", { numbers: ca, type: "pem", "file-name": fileBase });
  const [file] = await client.print("/file", { query: { name: `${fileBase}.crt` } });
  if (file !== undefined) await client.remove("/file", file[".id"]!);
  const pem = file?.contents ?? "";
  const fingerprint = pemFingerprint(pem);
  const item = await byName(client, ca);
  if (fingerprint === null || item?.fingerprint?.toLowerCase() !== fingerprint) throw new CertificateError(`the router did not export the CA certificate ${ca} as PEM`);
  return { pem: pem.trim() + "\n", fingerprint };
}

/** Puts a friend's CA certificate on the router under `name`, trusted; checks its fingerprint first. */
export async function importCa(client: RouterClient, name: string, ca: CaCertificate, dialect: Pick<Dialect, "fileAdd">): Promise<void> {
  if (pemFingerprint(ca.pem) !== ca.fingerprint) throw new CertificateError("the CA certificate does not match its fingerprint");
  if ((await byName(client, name)) !== undefined) throw new CertificateError(`the router already has a certificate named ${name}: remove it (or the unfinished peering) first`);
  const file = await writeFile(client, name, ca.pem, dialect.fileAdd);
  try {
    const [result] = await client.run("/certificate/import", { "file-name": file.name, passphrase: "" });
    const imported = (await client.print("/certificate", { query: { fingerprint: ca.fingerprint } }))[0];
    if (imported === undefined) throw new CertificateError(`the router imported no certificate from ${file.name} (${result?.["certificates-imported"] ?? "0"} imported)`);
    await client.set("/certificate", imported[".id"]!, { name, trusted: "yes" });
  } finally {
    await client.remove("/file", file.id).catch(() => undefined);
  }
}

async function writeFile(client: RouterClient, base: string, contents: string, fileAdd: boolean): Promise<{ name: string; id: string }> {
  if (fileAdd) {
    const name = `${base}.crt`;
    const id = await client.add("/file", { name, contents });
    return { name, id };
  }
  // RouterOS 6: printing into a file is the only way to make one; it gets ".txt".
  await client.run("/file/print", { file: base });
  const name = `${base}.txt`;
  const [made] = await client.print("/file", { query: { name } });
  if (made === undefined) throw new CertificateError(`the router did not create the file ${name}`);
  await client.set("/file", made[".id"]!, { contents });
  return { name, id: made[".id"]! };
}
