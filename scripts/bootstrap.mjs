#!/usr/bin/env node
// Set-up shared by `npm start` and `npm test` on a fresh Debian machine with Node 20:
// installs the npm dependencies when they are missing or stale, and the Debian packages of
// scripts/debian-packages.txt when run as root. Uses only Node's own modules, since it runs
// before node_modules exists. Messages go to stderr.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`[prazo setup] ${line}\n`);

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    say(`Node ${process.versions.node} is too old: Prazo needs Node 20 or newer.`);
    process.exit(1);
  }
}

function npmDependenciesStale() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

function installNpmDependencies() {
  if (!npmDependenciesStale()) return;
  say('installing npm dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    say('npm ci failed; see the messages above.');
    process.exit(result.status ?? 1);
  }
}

function wantedDebianPackages() {
  return readFileSync(join(root, 'scripts', 'debian-packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

function isInstalled(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .includes('install ok installed');
  } catch {
    return false;
  }
}

function installDebianPackages() {
  if (process.env.PRAZO_SKIP_APT === '1' || !existsSync('/usr/bin/dpkg-query')) return;
  const missing = wantedDebianPackages().filter((pkg) => !isInstalled(pkg));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    say(`missing Debian packages: ${missing.join(' ')}. Install them with:`);
    say(`  sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    return;
  }
  say(`installing Debian packages: ${missing.join(' ')} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-q'], { stdio: ['ignore', 2, 2], env });
  const install =
    update.status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: ['ignore', 2, 2], env });
  if (!install || install.status !== 0) say(`could not install ${missing.join(' ')}; the PDF report will not work until they are installed.`);
}

checkNode();
installNpmDependencies();
installDebianPackages();
