#!/usr/bin/env node
// Checks the workspace's production dependencies against the registry's security advisories,
// as current npm does: the package list from `pnpm list --prod`, one POST to the bulk advisory
// endpoint (/-/npm/v1/security/advisories/bulk). It never fails silently:
//   exit 0  no known vulnerability of high or critical severity;
//   exit 1  some found, each listed with its package, version, severity and advisory;
//   exit 2  no answer: the list or the registry failed; one line says why and what to do.
// The registry is FORTUNE_AUDIT_REGISTRY, else npm_config_registry, else registry.npmjs.org.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HELP = `Usage: node scripts/audit.mjs   (pnpm run audit)

Checks the production dependencies of every workspace package against the registry's security
advisories and lists those of high or critical severity. Exit 0: none known; 1: some found;
2: the registry could not be asked (one line says why).

FORTUNE_AUDIT_REGISTRY   the registry to ask (default: npm_config_registry, else
                         https://registry.npmjs.org/); it must answer
                         POST /-/npm/v1/security/advisories/bulk`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORTED = new Set(['high', 'critical']);

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

function fail(line) {
  process.stderr.write(`audit: ${line}\n`);
  process.exit(2);
}

/** pnpm itself: the one running this script if any, else the pinned version through npx. */
function pnpmCommand() {
  const running = process.env.npm_execpath;
  if (running && basename(running).startsWith('pnpm')) {
    return /\.[cm]?js$/.test(running) ? [process.execPath, [running]] : [running, []];
  }
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return ['npx', ['--yes', packageManager]];
}

function pnpmList() {
  const [file, first] = pnpmCommand();
  const args = ['list', '--prod', '--recursive', '--json', '--depth', 'Infinity'];
  return new Promise((resolve) => {
    execFile(
      file,
      [...first, ...args],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const why = (stderr.trim().split('\n')[0] || error.message.split('\n')[0]).trim();
          fail(`could not list the production packages (pnpm ${args.join(' ')}): ${why}`);
        }
        try {
          resolve(JSON.parse(stdout));
        } catch {
          fail(`pnpm ${args.join(' ')} did not print JSON; run it to see why`);
        }
      },
    );
  });
}

/** Every registry package the workspace packages need at run time: name -> its versions. */
function productionPackages(list) {
  const found = new Map();
  const walk = (dependencies) => {
    for (const [name, dependency] of Object.entries(dependencies ?? {})) {
      // Workspace packages are linked (link:...), not published: their own dependencies count.
      if (!dependency.version.startsWith('link:')) {
        const versions = found.get(name) ?? new Set();
        versions.add(dependency.version);
        found.set(name, versions);
      }
      walk(dependency.dependencies);
    }
  };
  for (const project of list) walk(project.dependencies);
  return found;
}

async function advisories(url, body) {
  let answer;
  try {
    answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    const cause = error.cause?.code ?? error.cause?.message ?? error.message;
    fail(`could not reach ${url} (${cause}); ${INSTEAD}`);
  }
  if (!answer.ok) {
    const allowed = answer.headers.get('allow');
    const status = `${answer.status} ${answer.statusText}`.trim() + (allowed ? ` (allows ${allowed})` : '');
    fail(`${url} answered ${status}; ${INSTEAD}`);
  }
  let parsed;
  try {
    parsed = await answer.json();
  } catch {
    fail(`${url} answered ${answer.status} with something other than JSON; ${INSTEAD}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(`${url} answered ${answer.status} with JSON that is not a list of advisories; ${INSTEAD}`);
  }
  return parsed;
}

const registry = new URL(
  process.env.FORTUNE_AUDIT_REGISTRY || process.env.npm_config_registry || 'https://registry.npmjs.org/',
);
if (!registry.pathname.endsWith('/')) registry.pathname += '/';
const endpoint = new URL('-/npm/v1/security/advisories/bulk', registry).href;
const INSTEAD =
  registry.hostname === 'registry.npmjs.org'
    ? 'registry.npmjs.org answers it, but not through a proxy or mirror that only allows GET: run pnpm run audit from a network that reaches it directly'
    : 'registry.npmjs.org answers it: run FORTUNE_AUDIT_REGISTRY=https://registry.npmjs.org/ pnpm run audit';

const packages = productionPackages(await pnpmList());
const count = [...packages.values()].reduce((sum, versions) => sum + versions.size, 0);

// The endpoint answers for a package when any version sent is affected; sending one version of
// each package per request tells which version it is without comparing ranges here.
const findings = [];
let lower = 0;
for (let round = 0; ; round += 1) {
  const body = {};
  for (const [name, versions] of packages) {
    const version = [...versions].sort()[round];
    if (version !== undefined) body[name] = [version];
  }
  if (Object.keys(body).length === 0) break;
  const answer = await advisories(endpoint, body);
  for (const [name, list] of Object.entries(answer)) {
    if (!Array.isArray(list) || !body[name]) continue;
    for (const advisory of list) {
      if (REPORTED.has(advisory.severity)) {
        findings.push({ name, version: body[name][0], ...advisory });
      } else {
        lower += 1;
      }
    }
  }
}

const belowNote = lower > 0 ? ` (${lower} of lower severity not listed)` : '';
if (findings.length === 0) {
  process.stdout.write(
    `no known vulnerabilities of high or critical severity in ${count} production packages${belowNote}\n`,
  );
  process.exit(0);
}
process.stdout.write(
  `${findings.length} known vulnerabilities of high or critical severity in ${count} production packages${belowNote}:\n`,
);
for (const finding of findings.sort((a, b) => a.name.localeCompare(b.name))) {
  const title = finding.title ? ` ${finding.title}` : '';
  process.stdout.write(
    `${finding.name}@${finding.version}  ${finding.severity}  ${finding.url ?? `advisory ${finding.id}`}${title}\n`,
  );
}
process.exit(1);
