// Secrets at rest, encrypted with a key derived from the operator's identity key (AES-256-GCM):
// what the journal must keep to undo a removal (a WireGuard private key, a password), and PPP
// passwords where no OS keyring works. Whoever has the identity file can open them; nobody else.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import type { Identity } from "../core/bundle.js";

export interface SecretBox {
  /** Names the identity key a sealed text needs, without giving anything away. */
  readonly keyId: string;
  seal(value: unknown): string;
  /** The value, or null when the text was sealed with another key or has been tampered with. */
  open(text: string): unknown;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function secretBox(identity: Identity, purpose: string): SecretBox {
  const der = identity.boxPrivateKey.export({ format: "der", type: "pkcs8" });
  // The raw X25519 private key is the last 32 bytes of its PKCS#8 form.
  const raw = der.subarray(der.length - 32);
  const key = Buffer.from(hkdfSync("sha256", raw, Buffer.from("bgpals sealed secrets"), Buffer.from(purpose), 32));
  const keyId = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return {
    keyId,
    seal(value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
    },
    open(text) {
      try {
        const bytes = Buffer.from(text, "base64url");
        const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
        return JSON.parse(plain.toString("utf8")) as unknown;
      } catch {
        return null;
      }
    },
  };
}
