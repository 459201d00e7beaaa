import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class DatabaseInUseError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(file: string): number | null {
  try {
    return Number(readFileSync(file, 'utf8')) || null;
  } catch {
    return null;
  }
}

/**
 * PGlite has no lock of its own, and two processes writing the same files corrupt them (`npm run admin` while
 * `npm start` runs, say). The first process marks the directory with its pid; another is refused while that
 * process lives. A mark left by a process that died is taken over. Returns the release.
 */
export function lockPgliteDirectory(dir: string): () => void {
  const file = path.join(dir, 'itsm-owner.pid');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(file);
      if (owner === process.pid) break;
      if (owner !== null && alive(owner)) {
        throw new DatabaseInUseError(`the PGlite database in ${dir} is in use by process ${owner} (npm start, npm run api or worker?): stop that first, or use PostgreSQL (DATABASE_URL) for several processes. If no such process is yours, delete ${file}.`);
      }
      if (attempt > 0) throw error;
      rmSync(file, { force: true });
    }
  }
  return () => {
    if (ownerOf(file) === process.pid) rmSync(file, { force: true });
  };
}
