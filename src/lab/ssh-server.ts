// An SSH server for lab routers, as much of RouterOS's as bgpals uses: password login, `/export`
// over exec, and SFTP uploads into the router's files. The host key can be rotated to see clients
// refuse a router whose key changed.
import { createHash, timingSafeEqual } from "node:crypto";
import net from "node:net";
import ssh2 from "ssh2";
import type { Attributes, AuthContext, Connection, FileEntry, ServerChannel, Session, SFTPWrapper } from "ssh2";

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

export interface LabSshUser {
  readonly name: string;
  readonly password: string;
}

export interface LabSshServerOptions {
  readonly users: readonly LabSshUser[];
  /** What `/export` prints: the router's configuration at that moment. */
  readonly exportText: () => string;
  /** The router's file system: SFTP uploads land here, keyed by path without a leading slash. */
  readonly files?: Map<string, Buffer>;
  /** Private host key (OpenSSH or PEM); default an Ed25519 key made here. */
  readonly hostKey?: string | Buffer;
}

// Limits against a hostile or broken client: one lab process serves every simulated router.
const MAX_CONNECTIONS = 64;
const MAX_AUTH_ATTEMPTS = 6;
const MAX_OPEN_HANDLES = 32;
const MAX_FILE_BYTES = 64 * 1024 * 1024;
// Per SFTP answer, well under what clients accept in one packet.
const MAX_READ_BYTES = 32 * 1024;
const MAX_DIR_ENTRIES = 100;

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** The host key's fingerprint as OpenSSH prints it: "SHA256:" and the unpadded base64 SHA-256 of the key blob. */
function fingerprintOf(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(publicKeyBlob).digest("base64").replace(/=+$/, "")}`;
}

export class LabSshServer {
  readonly files: Map<string, Buffer>;
  /** Authentication requests seen, whatever their method or outcome. */
  authAttempts = 0;
  readonly #users: readonly LabSshUser[];
  readonly #exportText: () => string;
  readonly #sockets = new Set<net.Socket>();
  #ssh!: InstanceType<typeof ssh2.Server>;
  #fingerprint = "";
  #tcp: net.Server | null = null;

  constructor(options: LabSshServerOptions) {
    this.#users = options.users;
    this.#exportText = options.exportText;
    this.files = options.files ?? new Map();
    this.#useHostKey(options.hostKey ?? newHostKey());
  }

  /** The host key fingerprint clients see, as OpenSSH prints it. */
  get hostKeyFingerprint(): string {
    return this.#fingerprint;
  }

  /** Port once started; throws before. */
  get port(): number {
    const address = this.#tcp?.address();
    if (address === null || address === undefined || typeof address === "string") throw new Error("the lab SSH server is not listening");
    return address.port;
  }

  async start(port = 0, host = "127.0.0.1"): Promise<this> {
    // The TCP side is ours, not ssh2's, so the host key can change while the port stays.
    const tcp = net.createServer({ noDelay: true }, (socket) => this.#accept(socket));
    tcp.maxConnections = MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(port, host, () => {
        tcp.off("error", reject);
        resolve();
      });
    });
    tcp.on("error", () => {});
    this.#tcp = tcp;
    return this;
  }

  /** Replaces the host key (a reinstalled router); returns the new fingerprint. Open sessions keep the old one. */
  rotateHostKey(hostKey: string | Buffer = newHostKey()): string {
    this.#useHostKey(hostKey);
    return this.#fingerprint;
  }

  async stop(): Promise<void> {
    const tcp = this.#tcp;
    this.#tcp = null;
    // Destroying the sockets ends every session, half-done handshakes included, so close() returns.
    for (const socket of this.#sockets) socket.destroy();
    if (tcp !== null) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  #useHostKey(hostKey: string | Buffer): void {
    const parsed = ssh2.utils.parseKey(hostKey);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key === undefined || key instanceof Error) throw new Error(`the lab SSH host key cannot be read: ${key?.message ?? "empty"}`);
    this.#ssh = new ssh2.Server({ hostKeys: [hostKey] }, (connection) => this.#serve(connection));
    this.#fingerprint = fingerprintOf(key.getPublicSSH());
  }

  #accept(socket: net.Socket): void {
    socket.on("error", () => {});
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
    this.#ssh.injectSocket(socket);
  }

  #serve(connection: Connection): void {
    // A peer's bad packets or hang-ups concern that peer only.
    connection.on("error", () => {});
    let failures = 0;
    connection.on("authentication", (ctx: AuthContext) => {
      this.authAttempts++;
      if (ctx.method === "password" && this.#passwordMatches(ctx.username, ctx.password)) {
        ctx.accept();
        return;
      }
      if (ctx.method !== "none" && ++failures >= MAX_AUTH_ATTEMPTS) {
        connection.end();
        return;
      }
      ctx.reject(["password"]);
    });
    connection.on("ready", () => {
      connection.on("session", (accept) => this.#session(accept()));
    });
  }

  #passwordMatches(name: string, password: string): boolean {
    const user = this.#users.find((u) => u.name === name);
    // Digests have equal lengths, which timingSafeEqual requires.
    const digest = (text: string) => createHash("sha256").update(text).digest();
    return user !== undefined && timingSafeEqual(digest(user.password), digest(password));
  }

  #session(session: Session): void {
    session.on("exec", (accept, _reject, info) => this.#exec(accept(), info.command));
    session.on("sftp", (accept) => serveSftp(accept(), this.files));
  }

  #exec(channel: ServerChannel, command: string): void {
    const first = command.trim().split(/\s+/)[0] ?? "";
    if (first === "/export") {
      let text: string;
      try {
        text = this.#exportText();
      } catch (e) {
        finish(channel, 1, "", `failure: ${e instanceof Error ? e.message : String(e)}\n`);
        return;
      }
      finish(channel, 0, text, "");
      return;
    }
    // RouterOS prints this on stdout and exits 0; the lab uses stderr and 1 to keep clients simple.
    finish(channel, 1, "", `bad command name ${first.replace(/^\//, "")} (line 1 column 1)\n`);
  }
}

function finish(channel: ServerChannel, status: number, stdout: string, stderr: string): void {
  if (stdout !== "") channel.write(stdout);
  if (stderr !== "") channel.stderr.write(stderr);
  channel.exit(status);
  channel.end();
}

function newHostKey(): string {
  // ssh2 now and then writes an Ed25519 key its own parser refuses: make another.
  for (let attempt = 0; attempt < 10; attempt++) {
    const key = ssh2.utils.generateKeyPairSync("ed25519").private;
    if (!(ssh2.utils.parseKey(key) instanceof Error)) return key;
  }
  throw new Error("could not make an SSH host key for the lab");
}

interface OpenFile {
  readonly name: string;
  data: Buffer;
  size: number;
  readonly writable: boolean;
  readonly append: boolean;
}

interface OpenDir {
  readonly name: string;
  /** Entries not yet sent; null before the first READDIR. */
  left: FileEntry[] | null;
}

/** SFTP over `files`: enough to upload, read back and list. Anything else is OP_UNSUPPORTED (ssh2's default). */
function serveSftp(sftp: SFTPWrapper, files: Map<string, Buffer>): void {
  const handles = new Map<string, OpenFile | OpenDir>();
  let nextHandle = 0;
  sftp.on("error", () => {});

  const newHandle = (reqId: number, open: OpenFile | OpenDir): void => {
    const handle = Buffer.alloc(4);
    handle.writeUInt32BE(nextHandle++ >>> 0);
    handles.set(handle.toString("hex"), open);
    sftp.handle(reqId, handle);
  };
  const fileOf = (handle: Buffer): OpenFile | undefined => {
    const open = handles.get(handle.toString("hex"));
    return open !== undefined && "data" in open ? open : undefined;
  };
  const isDirectory = (name: string): boolean => name === "" || [...files.keys()].some((key) => key.startsWith(`${name}/`));
  const attrsOf = (name: string): Attributes | undefined => {
    const now = Math.floor(Date.now() / 1000);
    const data = files.get(name);
    if (data !== undefined) return { mode: S_IFREG | 0o644, uid: 0, gid: 0, size: data.length, atime: now, mtime: now };
    if (isDirectory(name)) return { mode: S_IFDIR | 0o755, uid: 0, gid: 0, size: 0, atime: now, mtime: now };
    return undefined;
  };
  const stat = (reqId: number, path: string): void => {
    const name = normalizePath(path);
    const attrs = name === null ? undefined : attrsOf(name);
    if (attrs === undefined) sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    else sftp.attrs(reqId, attrs);
  };

  const listDirectory = (name: string): FileEntry[] => {
    const prefix = name === "" ? "" : `${name}/`;
    const children = new Set<string>();
    for (const key of files.keys()) {
      if (key.startsWith(prefix)) children.add(key.slice(prefix.length).split("/")[0] ?? "");
    }
    const entries: FileEntry[] = [];
    for (const child of children) {
      const attrs = attrsOf(prefix + child);
      if (child !== "" && attrs !== undefined) entries.push({ filename: child, longname: child, attrs });
    }
    return entries;
  };

  sftp.on("OPEN", (reqId, filename, flags) => {
    const name = normalizePath(filename);
    if (name === null || name === "" || isDirectory(name)) return sftp.status(reqId, STATUS_CODE.FAILURE, "not a file name");
    if (handles.size >= MAX_OPEN_HANDLES) return sftp.status(reqId, STATUS_CODE.FAILURE, "too many open files");
    const existing = files.get(name);
    if (!(flags & OPEN_MODE.WRITE)) {
      if (existing === undefined) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
      return newHandle(reqId, { name, data: existing, size: existing.length, writable: false, append: false });
    }
    if (existing === undefined && !(flags & OPEN_MODE.CREAT)) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    if (existing !== undefined && flags & OPEN_MODE.EXCL) return sftp.status(reqId, STATUS_CODE.FAILURE, "file exists");
    const keep = existing !== undefined && !(flags & OPEN_MODE.TRUNC) ? Buffer.from(existing) : Buffer.alloc(0);
    // The file exists from the open on, as on a router.
    files.set(name, Buffer.from(keep));
    newHandle(reqId, { name, data: keep, size: keep.length, writable: true, append: Boolean(flags & OPEN_MODE.APPEND) });
  });

  sftp.on("WRITE", (reqId, handle, offset, data) => {
    const file = fileOf(handle);
    if (file === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE, "invalid handle");
    if (!file.writable) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, "opened for reading");
    const at = file.append ? file.size : offset;
    const end = at + data.length;
    if (!Number.isSafeInteger(at) || at < 0 || end > MAX_FILE_BYTES) return sftp.status(reqId, STATUS_CODE.FAILURE, "file too large");
    if (end > file.data.length) {
      // Grow by doubling so a sequential upload copies O(size) bytes in all.
      const grown = Buffer.alloc(Math.min(MAX_FILE_BYTES, Math.max(end, file.data.length * 2, 4096)));
      file.data.copy(grown, 0, 0, file.size);
      file.data = grown;
    }
    data.copy(file.data, at);
    file.size = Math.max(file.size, end);
    sftp.status(reqId, STATUS_CODE.OK);
  });

  sftp.on("READ", (reqId, handle, offset, length) => {
    const file = fileOf(handle);
    if (file === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE, "invalid handle");
    if (!Number.isSafeInteger(offset) || offset >= file.size) return sftp.status(reqId, STATUS_CODE.EOF);
    sftp.data(reqId, file.data.subarray(offset, Math.min(file.size, offset + Math.min(length, MAX_READ_BYTES))));
  });

  sftp.on("CLOSE", (reqId, handle) => {
    const key = handle.toString("hex");
    const open = handles.get(key);
    if (open === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE, "invalid handle");
    handles.delete(key);
    if ("data" in open && open.writable) files.set(open.name, Buffer.from(open.data.subarray(0, open.size)));
    sftp.status(reqId, STATUS_CODE.OK);
  });

  sftp.on("FSTAT", (reqId, handle) => {
    const file = fileOf(handle);
    if (file === undefined) return sftp.status(reqId, STATUS_CODE.FAILURE, "invalid handle");
    const now = Math.floor(Date.now() / 1000);
    sftp.attrs(reqId, { mode: S_IFREG | 0o644, uid: 0, gid: 0, size: file.size, atime: now, mtime: now });
  });
  sftp.on("STAT", stat);
  sftp.on("LSTAT", stat);

  sftp.on("REALPATH", (reqId, path) => {
    const name = normalizePath(path);
    if (name === null) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    const attrs = attrsOf(name) ?? { mode: 0, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 };
    sftp.name(reqId, [{ filename: `/${name}`, longname: `/${name}`, attrs }]);
  });

  sftp.on("OPENDIR", (reqId, path) => {
    const name = normalizePath(path);
    if (name === null || !isDirectory(name)) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    if (handles.size >= MAX_OPEN_HANDLES) return sftp.status(reqId, STATUS_CODE.FAILURE, "too many open files");
    newHandle(reqId, { name, left: null });
  });

  sftp.on("READDIR", (reqId, handle) => {
    const dir = handles.get(handle.toString("hex"));
    if (dir === undefined || "data" in dir) return sftp.status(reqId, STATUS_CODE.FAILURE, "invalid handle");
    dir.left ??= listDirectory(dir.name);
    const entries = dir.left.splice(0, MAX_DIR_ENTRIES);
    if (entries.length === 0) sftp.status(reqId, STATUS_CODE.EOF);
    else sftp.name(reqId, entries);
  });
}

/** A client's path as a key of `files` ("" is the root); null for names a router would refuse. */
function normalizePath(path: string): string | null {
  if (path.includes("\0") || path.length > 4096) return null;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}
