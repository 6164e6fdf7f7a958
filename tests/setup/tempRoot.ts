import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary folder of a test run — databases, files, Chromium profiles, those of the CLI
 * processes tests start — under one folder, removed when the run ends: a run leaves several
 * hundred MB, which piled up to tens of GB on a developer's machine. PRAZO_KEEP_TEST_FILES=1 keeps it.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'prazo-tests-'));
  const before = process.env.TMPDIR;
  // Workers and the processes they spawn inherit it; os.tmpdir() reads it.
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    if (process.env.PRAZO_KEEP_TEST_FILES === '1') console.log(`test files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
