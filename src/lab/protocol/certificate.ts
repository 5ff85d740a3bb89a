// The API-SSL certificate of lab routers: self-signed, made once per process and shared, since
// clients of the lab do not verify it (they pin or skip verification, as with a real router).
import { generate } from "selfsigned";

export interface TlsCredentials {
  key: string;
  cert: string;
  /** SHA-1 fingerprint as colon-separated hex, what a client would pin. */
  fingerprint: string;
}

let shared: Promise<TlsCredentials> | null = null;

export function labCertificate(): Promise<TlsCredentials> {
  shared ??= generate([{ name: "commonName", value: "bgpals-lab" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }],
  }).then((pems) => ({ key: pems.private, cert: pems.cert, fingerprint: pems.fingerprint }));
  return shared;
}
