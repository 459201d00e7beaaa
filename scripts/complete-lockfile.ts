// The registry these machines use serves only the binaries of this platform, so `npm install` leaves the
// other platforms' optional packages (@swc/core-darwin-arm64, ...) out of package-lock.json, and `npm ci`
// then refuses the lock file as out of sync. This adds them back as optional entries with the os/cpu npm
// needs to skip them here, as a lock file written against the public registry would have them.
// Run after changing dependencies: `npm install && npm run lock:complete`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony'];
const CPU = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32', 'mips64el'];

type LockEntry = { version?: string; optionalDependencies?: Record<string, string>; os?: string[]; cpu?: string[]; libc?: string[]; optional?: boolean; dev?: boolean };

export function platformOf(name: string): { os?: string[]; cpu?: string[]; libc?: string[] } | null {
  const parts = name.split('/').pop()!.split('-');
  const os = parts.find((part) => OS.includes(part));
  const cpu = parts.find((part) => CPU.includes(part));
  if (!os && !cpu) return null;
  const libc = parts.includes('musl') ? ['musl'] : parts.includes('gnu') || parts.includes('gnueabihf') ? ['glibc'] : undefined;
  return { os: os ? [os] : undefined, cpu: cpu ? [cpu] : undefined, libc: os === 'linux' ? libc : undefined };
}

function main() {
  const file = path.resolve(__dirname, '..', 'package-lock.json');
  const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, LockEntry> };
  let added = 0;
  for (const [location, entry] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const parent = location === '' ? '' : `${location}/`;
      const candidates = [`${parent}node_modules/${name}`, `node_modules/${name}`];
      if (candidates.some((candidate) => lock.packages[candidate])) continue;
      const platform = platformOf(name);
      if (!platform) continue;
      lock.packages[`node_modules/${name}`] = { version, ...platform, optional: true, ...(entry.dev ? { dev: true } : {}) };
      added++;
    }
  }
  const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
  console.log(`package-lock.json: added ${added} optional platform package(s)`);
}

if (require.main === module) main();
