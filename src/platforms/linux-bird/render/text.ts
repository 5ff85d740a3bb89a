// A Linux render as people read it (files under headers, then the commands) and as data. Secrets
// are masked in both: the host layer writes the real ones, never a printed form.
import type { LinuxRendered, LinuxSecrets } from "./render.js";

export const MASK = "********";

function masker(secrets: LinuxSecrets): (text: string) => string {
  const values = [...Object.values(secrets.presharedKey ?? {}), ...Object.values(secrets.pppPassword ?? {})].filter((v) => v !== "");
  return (text) => values.reduce((out, value) => out.split(value).join(MASK), text);
}

export function linuxText(out: LinuxRendered, secrets: LinuxSecrets = {}): string {
  const mask = masker(secrets);
  const lines = [
    `# bgpals: peering ${out.peering}, side ${out.side}, Linux with BIRD ${out.bird} and ${out.tunnels.join(" and ")}`,
    "# bgpals writes only these files and its own table inet bgpals chains and rules (BIRD keeps each link's route from the include); the commands follow the files",
    ...out.notes.map((n) => `# note: ${n}`),
    "",
  ];
  for (const file of out.files) {
    lines.push(`# --- ${file.path} ---`, `# mode ${file.mode}: ${file.why}${file.secret ? " (holds a secret: masked here)" : ""}`, mask(file.content).replace(/\n$/, ""), "");
  }
  lines.push("# --- commands ---");
  for (const command of out.commands) {
    lines.push(`# ${command.why}`, mask(command.run));
  }
  return `${lines.join("\n")}\n`;
}

export function linuxJson(out: LinuxRendered, secrets: LinuxSecrets = {}): Record<string, unknown> {
  const mask = masker(secrets);
  return {
    side: out.side,
    platform: { os: "linux", bird: out.bird },
    peering: out.peering,
    files: out.files.map((f) => ({ path: f.path, mode: f.mode, content: mask(f.content), why: f.why, ...(f.secret ? { secret: true } : {}) })),
    commands: out.commands.map((c) => ({ run: mask(c.run), why: c.why })),
    notes: out.notes,
  };
}
