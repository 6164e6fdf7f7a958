import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a server killed with SIGKILL takes its Chromium with it (no orphan browser)', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'rendererChild.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code} before printing the browser pid`)));
  });
  expect(pid).toBeGreaterThan(0);
  expect(alive(pid)).toBe(true);
  child.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  expect(alive(pid)).toBe(false);
}, 30_000);
