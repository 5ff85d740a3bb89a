// The lab's certificate store, as RouterOS has it: `/certificate add` only describes a certificate
// (name, common-name, key-usage, days-valid, key-size); `sign` makes the key pair and the X.509
// certificate (self-signed, or signed by a local CA with `ca=`); `export-certificate` writes the
// PEM into a file; `import file-name=` reads PEM certificates from a file. Files come from
// `/file add contents=` (RouterOS 7) or `/file print file=` then `/file set contents=` (RouterOS 6).
// The certificates are real (X.509 made with selfsigned), so a fingerprint is the SHA-256 of the
// DER, and a PEM exported on one lab router imports on another with the same fingerprint.
import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";
import { isV6 } from "./versions.js";
import type { ApiRequest, CommandHandler, Reply } from "./protocol/server.js";
import { TrapCategory, TrapError, TrapMessage } from "./protocol/traps.js";
import type { Attributes, Menu, MenuDescriptor } from "./store/menu.js";
import type { ConfigStore } from "./store/store.js";

type CertificateExtension = NonNullable<NonNullable<Parameters<typeof generate>[1]>["extensions"]>[number];

/** A signed certificate's key and PEM, kept out of the store: RouterOS never prints a private key. */
export interface CertificateKeys {
  key: string | null;
  cert: string;
}

// Flags and values RouterOS computes; clients cannot write them.
const COMPUTED = ["fingerprint", "serial-number", "invalid-before", "invalid-after", "private-key", "authority", "issued", "ca", "issuer", "expired", "key-type", "akid", "skid"];
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;
// RouterOS 6 edits file contents up to 4 KiB; the lab holds RouterOS 7 to the same bound.
const MAX_FILE_CONTENTS = 4095;

export function certificateMenus(version: string, keys: Map<string, CertificateKeys>): MenuDescriptor[] {
  const v7 = !isV6(version);
  return [
    {
      path: "/certificate",
      key: ["name"],
      duplicateMessage: "failure: certificate with the same name already exists",
      disabledFlag: false,
      booleans: ["trusted", "private-key", "authority", "issued", "expired"],
      readOnly: COMPUTED,
      defaults: { "key-size": "2048", "days-valid": "365", trusted: "false", ...(v7 ? { "digest-algorithm": "sha256" } : {}) },
      verbs: ["print", "getall", "get", "add", "set", "remove", "listen"],
      hooks: {
        validate(change) {
          if (change.kind === "remove") return;
          if (change.kind === "add" && (change.after.name ?? "") === "") throw new TrapError("failure: name must be set", TrapCategory.argumentValue);
          if (change.after["subject-alt-name"] !== undefined && subjectAltNames(change.after["subject-alt-name"]) === null) throw new TrapError("failure: invalid subject-alt-name", TrapCategory.argumentValue);
          if (change.kind === "set" && change.before.fingerprint !== undefined) {
            // A signed certificate keeps its subject: only the name and trust may change.
            for (const attr of ["common-name", "subject-alt-name", "key-usage", "key-size", "days-valid"]) {
              if (change.after[attr] !== change.before[attr]) throw new TrapError(`failure: can not change ${attr} of a signed certificate`, TrapCategory.generalFailure);
            }
          }
        },
        onRemove(item) {
          keys.delete(item[".id"] ?? "");
        },
      },
    },
    {
      path: "/file",
      key: ["name"],
      disabledFlag: false,
      readOnly: ["size", "creation-time"],
      // RouterOS 6 makes files only by printing into them (`print file=`), not with add.
      verbs: v7 ? ["print", "getall", "get", "add", "set", "remove", "listen"] : ["print", "getall", "get", "set", "remove", "listen"],
      hooks: {
        onAdd(draft) {
          fileFields(draft);
        },
        onSet(draft) {
          fileFields(draft);
        },
      },
    },
  ];
}

function fileFields(draft: Attributes): void {
  const contents = draft.contents ?? "";
  if (Buffer.byteLength(contents) > MAX_FILE_CONTENTS) throw new TrapError("failure: file contents too long", TrapCategory.argumentValue);
  draft.size = String(Buffer.byteLength(contents));
  const ext = /\.([A-Za-z0-9]+)$/.exec(draft.name ?? "")?.[1];
  draft.type = ext === undefined ? "file" : `.${ext} file`;
  draft["creation-time"] ??= "2026-01-01 00:00:00";
}

/** Lower-case hex without colons, as `/certificate print` shows a fingerprint. */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase();
}

function routerDate(d: string): string {
  // "Jan  1 00:00:00 2026 GMT" → "2026-01-01 00:00:00", the RouterOS 7.1x print style.
  return new Date(d).toISOString().replace("T", " ").slice(0, 19);
}

function x509Fields(pem: string): Record<string, string> {
  const x = new X509Certificate(pem);
  return {
    fingerprint: certificateFingerprint(pem),
    "serial-number": x.serialNumber,
    "invalid-before": routerDate(x.validFrom),
    "invalid-after": routerDate(x.validTo),
    "key-type": x.publicKey.asymmetricKeyType === "ec" ? "ec" : "rsa",
  };
}

/** `DNS:vpn.example,IP:203.0.113.10` (RouterOS's form; `email:` too) → its entries; null when unreadable. */
export function subjectAltNames(text: string): Array<{ type: "DNS" | "IP" | "email"; value: string }> | null {
  if (text === "") return [];
  const out: Array<{ type: "DNS" | "IP" | "email"; value: string }> = [];
  for (const entry of text.split(",")) {
    const m = /^(DNS|IP|email):(.+)$/i.exec(entry.trim());
    if (m === null) return null;
    const type = m[1]!.toUpperCase() === "EMAIL" ? "email" : (m[1]!.toUpperCase() as "DNS" | "IP");
    out.push({ type, value: m[2]! });
  }
  return out;
}

function extensionsFor(keyUsage: readonly string[], authority: boolean, altNames: ReturnType<typeof subjectAltNames> = []): CertificateExtension[] {
  const ku: Record<string, boolean> = {};
  if (keyUsage.includes("key-cert-sign")) ku.keyCertSign = true;
  if (keyUsage.includes("crl-sign")) ku.cRLSign = true;
  if (keyUsage.includes("digital-signature")) ku.digitalSignature = true;
  if (keyUsage.includes("key-encipherment")) ku.keyEncipherment = true;
  if (keyUsage.includes("data-encipherment")) ku.dataEncipherment = true;
  const extended: Record<string, boolean> = {};
  if (keyUsage.includes("tls-server")) extended.serverAuth = true;
  if (keyUsage.includes("tls-client")) extended.clientAuth = true;
  const out = [{ name: "basicConstraints", cA: authority, critical: true }, { name: "keyUsage", ...ku }] as CertificateExtension[];
  if (Object.keys(extended).length > 0) out.push({ name: "extKeyUsage", ...extended } as CertificateExtension);
  if (altNames !== null && altNames.length > 0) {
    // X.509 GeneralName: 1 rfc822Name, 2 dNSName, 7 iPAddress.
    const entries = altNames.map((a) => (a.type === "IP" ? { type: 7, ip: a.value } : { type: a.type === "DNS" ? 2 : 1, value: a.value }));
    out.push({ name: "subjectAltName", altNames: entries } as CertificateExtension);
  }
  return out;
}

// Without key-usage RouterOS signs for everything, CA use included.
const DEFAULT_KEY_USAGE = "digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,tls-server,tls-client";

interface CertificateCommandsOptions {
  store: ConfigStore;
  version: string;
  keys: Map<string, CertificateKeys>;
}

/** `/certificate/sign|import|export-certificate` and RouterOS 6's `/file/print file=`. */
export function certificateCommands({ store, version, keys }: CertificateCommandsOptions): Record<string, CommandHandler> {
  const v6 = isV6(version);
  const certificates = () => store.at("/certificate");
  const files = () => store.at("/file");
  const writer = (fn: (req: ApiRequest, reply: Reply) => Promise<void> | void): CommandHandler => async (req, reply) => {
    if (req.user.group === "read") return reply.fail(TrapMessage.notEnoughPermissions);
    try {
      await fn(req, reply);
    } catch (e) {
      if (e instanceof TrapError) reply.fail(e.message, e.category);
      else reply.fail(`failure: ${(e as Error).message}`, TrapCategory.generalFailure);
    }
  };
  const only = (req: ApiRequest, allowed: readonly string[]) => {
    for (const name of req.attributes.keys()) if (!allowed.includes(name) && name !== ".proplist") throw new TrapError(store.messages.unknownParameter(name), TrapCategory.argumentValue);
  };
  const find = (menu: Menu, ref: string | undefined): Attributes => {
    const item = ref === undefined ? undefined : menu.get(ref) ?? menu.find({ name: ref })[0];
    if (item === undefined) throw new TrapError(TrapMessage.noSuchItem, TrapCategory.missingItemOrCommand);
    return item;
  };

  const sign = writer(async (req, reply) => {
    only(req, [".id", "numbers", "number", "ca", "name", "ca-crl-host"]);
    const menu = certificates();
    const item = find(menu, req.attributes.get(".id") ?? req.attributes.get("numbers") ?? req.attributes.get("number"));
    if (item.fingerprint !== undefined) throw new TrapError("failure: certificate is already signed", TrapCategory.generalFailure);
    if ((item["common-name"] ?? "") === "") throw new TrapError("failure: common-name must be set", TrapCategory.argumentValue);
    const caName = req.attributes.get("ca");
    let ca: { item: Attributes; keys: CertificateKeys } | null = null;
    if (caName !== undefined && caName !== "") {
      const caItem = menu.find({ name: caName })[0];
      const caKeys = caItem === undefined ? undefined : keys.get(caItem[".id"]!);
      if (caItem === undefined || caKeys === undefined || caKeys.key === null) throw new TrapError("failure: CA certificate not found or has no private key", TrapCategory.generalFailure);
      if (caItem.authority !== "true") throw new TrapError("failure: CA certificate is not allowed to sign (key-usage has no key-cert-sign)", TrapCategory.generalFailure);
      ca = { item: caItem, keys: caKeys };
    }
    const usage = (item["key-usage"] ?? DEFAULT_KEY_USAGE).split(",");
    const authority = usage.includes("key-cert-sign");
    const keySize = item["key-size"] ?? "2048";
    const ec = /^(prime256v1|secp384r1|secp521r1)$/.exec(keySize)?.[1];
    if (ec === undefined && !/^(1024|1536|2048|4096|8192)$/.test(keySize)) throw new TrapError(`failure: invalid key-size ${keySize}`, TrapCategory.argumentValue);
    const days = Number(item["days-valid"] ?? "365");
    const notBeforeDate = new Date(Date.now() - 60_000);
    const made = await generate([{ name: "commonName", value: item["common-name"]! }], {
      algorithm: "sha256",
      notBeforeDate,
      notAfterDate: new Date(notBeforeDate.getTime() + days * 86_400_000),
      extensions: extensionsFor(usage, authority, subjectAltNames(item["subject-alt-name"] ?? "")),
      ...(ec === undefined ? { keyType: "rsa" as const, keySize: Number(keySize) } : { keyType: "ec" as const, curve: ({ prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" } as const)[ec as "prime256v1"] }),
      ...(ca === null ? {} : { ca: { key: ca.keys.key!, cert: ca.keys.cert } }),
    });
    // The certificate may have been removed while its key was being made.
    const still = menu.get(item[".id"]!);
    if (still === undefined) throw new TrapError(TrapMessage.noSuchItem, TrapCategory.missingItemOrCommand);
    keys.set(item[".id"]!, { key: made.private, cert: made.cert });
    const fields: Record<string, string> = {
      ...x509Fields(made.cert),
      "private-key": "true",
      authority: String(authority),
      // A self-signed certificate is its own trust anchor on the router that made it.
      trusted: ca === null ? "true" : (still.trusted ?? "false"),
    };
    if (ca !== null) {
      fields.ca = ca.item.name!;
      fields.issued = "true";
      fields.issuer = `CN=${ca.item["common-name"] ?? ""}`;
    }
    const rename = req.attributes.get("name");
    if (rename !== undefined && rename !== "") fields.name = rename;
    menu.set([item[".id"]!], fields, "system");
    reply.row(["progress"], ["done"], null);
    reply.done();
  });

  const exportCertificate = writer((req, reply) => {
    only(req, [".id", "numbers", "type", "file-name", "export-passphrase"]);
    const item = find(certificates(), req.attributes.get(".id") ?? req.attributes.get("numbers"));
    const pem = keys.get(item[".id"]!)?.cert;
    if (pem === undefined) throw new TrapError("failure: certificate is not signed", TrapCategory.generalFailure);
    const type = req.attributes.get("type") ?? "pem";
    if (type !== "pem") throw new TrapError(`failure: the lab exports type=pem only, not ${type}`, TrapCategory.argumentValue);
    const base = req.attributes.get("file-name") || `cert_export_${item.name}`;
    writeFile(`${base}.crt`, pem);
    // The private key leaves only when asked for, encrypted with a passphrase (bgpals never asks).
    const passphrase = req.attributes.get("export-passphrase") ?? "";
    const key = keys.get(item[".id"]!)?.key;
    if (passphrase.length > 0 && key !== null && key !== undefined) writeFile(`${base}.key`, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n(lab: not exported)\n-----END ENCRYPTED PRIVATE KEY-----\n");
    reply.done();
  });

  const importCertificates = writer((req, reply) => {
    // RouterOS 6 imports by file-name and passphrase; 7 adds name (7.12) and trusted (7.15).
    only(req, v6 ? ["file-name", "passphrase"] : ["file-name", "passphrase", "name", "trusted", "no-key-export", "trust-store"]);
    const fileName = req.attributes.get("file-name");
    const file = fileName === undefined ? undefined : files().find({ name: fileName })[0];
    if (file === undefined) throw new TrapError("failure: no such file", TrapCategory.generalFailure);
    const blocks = (file.contents ?? "").match(PEM_BLOCK) ?? [];
    const menu = certificates();
    let imported = 0;
    let failures = 0;
    const name = req.attributes.get("name");
    blocks.forEach((pem, i) => {
      let fields: Record<string, string>;
      let x: X509Certificate;
      try {
        x = new X509Certificate(pem);
        fields = x509Fields(pem);
      } catch {
        failures++;
        return;
      }
      // The same certificate twice is one certificate.
      if (menu.find({ fingerprint: fields.fingerprint! }).length > 0) return;
      const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1] ?? "";
      const itemName = name !== undefined && name !== "" ? (blocks.length > 1 ? `${name}_${i}` : name) : `${fileName}_${i}`;
      const id = menu.add({ name: itemName, "common-name": cn, "key-size": x.publicKey.asymmetricKeyDetails?.modulusLength ? String(x.publicKey.asymmetricKeyDetails.modulusLength) : "prime256v1", "days-valid": String(Math.round((Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86_400_000)) }, "system");
      menu.set([id], { ...fields, "private-key": "false", authority: String(x.ca), trusted: req.attributes.get("trusted") === "no" ? "false" : "true" }, "system");
      keys.set(id, { key: null, cert: pem });
      imported++;
    });
    reply.row(
      ["certificates-imported", "private-keys-imported", "files-imported", "decryption-failures", "keys-with-no-certificate"],
      [String(imported), "0", blocks.length > 0 ? "1" : "0", String(failures), "0"],
      null,
    );
    reply.done();
  });

  function writeFile(name: string, contents: string): void {
    const menu = files();
    const existing = menu.find({ name })[0];
    if (existing !== undefined) menu.set([existing[".id"]!], { contents }, "system");
    else menu.add({ name, contents }, "system");
  }

  const commands: Record<string, CommandHandler> = {
    "/certificate/sign": sign,
    "/certificate/export-certificate": exportCertificate,
    "/certificate/import": importCertificates,
  };
  return commands;
}

/**
 * RouterOS 6 has no `/file add`: printing into a file creates `<name>.txt`, whose contents can then
 * be set. Returns true when it answered the request.
 */
export function printIntoFile(store: ConfigStore, request: ApiRequest, reply: Reply): boolean {
  if (request.command !== "/file/print" || !request.attributes.has("file")) return false;
  if (request.user.group === "read") {
    reply.fail(TrapMessage.notEnoughPermissions);
    return true;
  }
  const name = `${request.attributes.get("file")}.txt`;
  const menu = store.at("/file");
  const listing = ["# lab file listing", ...menu.list().map((f) => `${f.name} ${f.type ?? ""} ${f.size ?? "0"}`)].join("\n");
  const existing = menu.find({ name })[0];
  if (existing !== undefined) menu.set([existing[".id"]!], { contents: listing }, "system");
  else menu.add({ name, contents: listing }, "system");
  reply.done();
  return true;
}
