// OpenVPN certificates on a Linux host, made there with openssl as RouterOS makes them on the
// router (platforms/routeros/certificates.ts): a CA and the server's or client's certificate it
// signs; the private keys are written 0600 and never leave the host, only the CA's certificate
// does. What a call makes is removed again when it fails half way; what an earlier call made stays.
import { normalizeFingerprint, pemFingerprint, pemIsAuthority } from "../../core/certificates.js";
import type { CaCertificateBody } from "../../core/offer.js";
import { UserError } from "../../errors.js";
import { certificateFiles } from "./names.js";
import type { LinuxShell } from "./ssh.js";

export class LinuxCertificateError extends UserError {}

const DAYS = "3650";

/** What `subjectAltName` says for the names a client dials: `DNS:` a name, `IP:` an address. */
const altNames = (names: readonly string[]) => [...new Set(names)].map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");

/**
 * $1 peering, $2 role, $3 CA name, $4 leaf CN, $5 SAN ("" for none), then the files. Prints
 * "made <file>" for each file it made, then the CA certificate; on a failure removes what it made.
 */
const MAKE = [
  'set -e; umask 077; p=$1; role=$2; cn_ca=$3; cn=$4; san=$5; cakey=$6; ca=$7; key=$8; crt=$9',
  // The temp dir goes on every way out (the certificates already there end early, exit 0).
  'made=""; t=""',
  'fail() { [ -z "$made" ] || rm -f -- $made; }',
  'trap \'c=$?; [ -z "$t" ] || rm -rf "$t"; [ $c -eq 0 ] || fail\' EXIT',
  'mkdir -p "$(dirname "$ca")"',
  'if [ -s "$crt" ] && [ -s "$key" ]; then',
  '  [ -s "$ca" ] && [ -s "$cakey" ] && openssl verify -CAfile "$ca" "$crt" >/dev/null 2>&1 || { echo "$crt is there but not signed by $ca: remove it (or the unfinished peering) first" >&2; exit 3; }',
  '  cat "$ca"; exit 0',
  'fi',
  'if [ -e "$crt" ] || [ -e "$key" ]; then echo "$crt or $key is there without the other: remove it (or the unfinished peering) first" >&2; exit 3; fi',
  't=$(mktemp -d)',
  'if ! [ -s "$ca" ] || ! [ -s "$cakey" ]; then',
  '  if [ -e "$ca" ] || [ -e "$cakey" ]; then echo "$ca or $cakey is there without the other: remove it (or the unfinished peering) first" >&2; exit 3; fi',
  '  made="$cakey $ca"',
  '  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days ' + DAYS + ' -subj "/CN=$cn_ca" -keyout "$cakey" -out "$t/ca.crt" \\',
  '    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$t/err" || { cat "$t/err" >&2; exit 1; }',
  '  chmod 0644 "$t/ca.crt"; mv "$t/ca.crt" "$ca"',
  'fi',
  'made="$made $key $crt"',
  'if [ "$role" = server ]; then eku=serverAuth; else eku=clientAuth; fi',
  '{ echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"; echo "extendedKeyUsage=$eku"; [ -z "$san" ] || echo "subjectAltName=$san"; } > "$t/ext"',
  'openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$key" -out "$t/leaf.csr" 2>"$t/err" || { cat "$t/err" >&2; exit 1; }',
  'openssl x509 -req -sha256 -days ' + DAYS + ' -in "$t/leaf.csr" -CA "$ca" -CAkey "$cakey" -set_serial "0x$(openssl rand -hex 16)" -extfile "$t/ext" -out "$t/leaf.crt" 2>"$t/err" || { cat "$t/err" >&2; exit 1; }',
  'chmod 0644 "$t/leaf.crt"; mv "$t/leaf.crt" "$crt"',
  'rm -rf "$t"',
  'for f in $made; do echo "made $f"; done',
  'cat "$ca"',
].join("\n");

/**
 * A CA and one certificate it signs, made on the host with openssl; what is there already (an
 * earlier offer's CA) is kept. A server certificate names the endpoints clients dial (CN and
 * subjectAltName), as on RouterOS. Returns the CA's public certificate and its fingerprint.
 */
export async function makeHostCertificates(shell: LinuxShell, peering: string, role: "server" | "client", serverNames: readonly string[] = [], onMade: (paths: string[]) => void = () => {}): Promise<CaCertificateBody> {
  const f = certificateFiles(peering);
  const [key, crt] = role === "server" ? [f.serverKey, f.server] : [f.clientKey, f.client];
  const cn = role === "server" && serverNames.length > 0 ? serverNames[0]! : `bgpals-${peering}-${role}`;
  const san = role === "server" ? altNames(serverNames) : "";
  const result = await shell.run(["sh", "-c", MAKE, "sh", peering, role, `bgpals-${peering}-ca`, cn, san, f.caKey, f.ca, key, crt]);
  if (result.code !== 0) throw new LinuxCertificateError(`making the OpenVPN certificates of ${peering} failed: ${result.stderr.trim() || `exit status ${result.code}`}`);
  const lines = result.stdout.split("\n");
  // What this call made goes again if the run it is part of fails (the writer's run, writing.ts).
  onMade(lines.filter((l) => l.startsWith("made ")).map((l) => l.slice("made ".length)));
  const pem = lines.filter((l) => !l.startsWith("made ")).join("\n").trim() + "\n";
  const fingerprint = pemFingerprint(pem);
  if (fingerprint === null || !pemIsAuthority(pem)) throw new LinuxCertificateError(`the host did not give back the CA certificate ${f.ca} as PEM`);
  return { caCertificate: pem, caFingerprint: fingerprint };
}

/** Puts the friend's CA certificate on the host (0644), its fingerprint and CA-ness checked first. */
export async function importHostCa(shell: LinuxShell, peering: string, ca: CaCertificateBody, onMade: (paths: string[]) => void = () => {}): Promise<void> {
  const fingerprint = normalizeFingerprint(ca.caFingerprint);
  if (fingerprint === null || pemFingerprint(ca.caCertificate) !== fingerprint) throw new LinuxCertificateError("the CA certificate does not match its fingerprint");
  if (!pemIsAuthority(ca.caCertificate)) throw new LinuxCertificateError("the friend's certificate is not a CA certificate");
  const path = certificateFiles(peering).friendCa;
  const there = await shell.run(["cat", path]);
  if (there.code === 0) {
    if (pemFingerprint(there.stdout) === fingerprint) return;
    throw new LinuxCertificateError(`the host already has ${path} with another certificate: remove it (or the unfinished peering) first`);
  }
  await shell.must(["mkdir", "-p", "/etc/openvpn"]);
  await shell.writeFile(path, ca.caCertificate.trim() + "\n", 0o644);
  onMade([path]);
}

/** Removes a peering's certificates (all, or only the friend's CA): what discarding an unfinished peering takes away. */
export async function removeHostCertificates(shell: LinuxShell, peering: string, what: "all" | "friend-ca"): Promise<void> {
  const f = certificateFiles(peering);
  const paths = what === "all" ? Object.values(f) : [f.friendCa];
  await shell.must(["rm", "-f", "--", ...paths]);
}
