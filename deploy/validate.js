#!/usr/bin/env node
/*
 * Checks the deployment artefacts without Docker or a cluster:
 *
 *   node deploy/validate.js            static checks, plus the real tools found on this machine
 *   node deploy/validate.js --offline  static checks only
 *
 * Static checks (always): every YAML file outside Helm templates parses; .dockerignore;
 * deploy/docker/Dockerfile (stages, users, entrypoints); docker-compose.yml (services, health,
 * start order, environment); the Helm chart (Chart.yaml, values.yaml, every `.Values.x.y` and
 * per-service `$svc.x.y` a template reads exists in values.yaml, every included helper is
 * defined, security settings, probes). Environment variable names are checked per service
 * against the settings the services read (see ENV below, plus the UPPER_CASE properties of each
 * service's src/config.ts). The packages the services import must be `dependencies` (the image
 * installs no devDependencies).
 *
 * With tools (each skipped when absent):
 *   helm ($HELM or on PATH): `helm lint --strict` and `helm template` for every
 *     deploy/helm/opsplane/ci/*-values.yaml, the rendered manifests checked like the above, and a
 *     render without secrets that must fail;
 *   `docker compose config -q` (or docker-compose): the Compose file against Compose's schema;
 *   dockerfile-utils (npm package, if resolvable): the Dockerfile linted by its parser;
 *   kubernetes-models (npm package, if resolvable): rendered manifests against Kubernetes' schemas.
 *
 * Exits 1 when any check fails. Needs the `yaml` (or `js-yaml`) package from node_modules.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const CHART = path.join(ROOT, 'deploy/helm/opsplane');
const OFFLINE = process.argv.includes('--offline');
const VERBOSE = process.argv.includes('--verbose');

// ------------------------------------------------------------------------------------------
// Settings each process reads.
/** The settings each class of libs/config/src/common-config.ts declares (its UPPER_CASE properties). */
function classSettings(file, className) {
  const src = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const start = src.indexOf(`export class ${className} `);
  if (start < 0) throw new Error(`${file}: no class ${className}`);
  const next = src.indexOf('\nexport ', start + 1);
  const body = src.slice(start, next < 0 ? undefined : next);
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*)\s*[?!]?\s*[:=]/gm)].map((m) => m[1]);
}
const ENV = {
  common: classSettings('libs/config/src/common-config.ts', 'CommonConfig'),
  jwt: classSettings('libs/config/src/common-config.ts', 'JwtConfig'),
  // ControlPlaneJwtConfig (libs/config/src/common-config.ts): operator tokens.
  cpJwt: classSettings('libs/config/src/common-config.ts', 'ControlPlaneJwtConfig'),
  // The gateway's own (services/gateway/src/config.ts) come with declaredSettings('gateway').
  gateway: [],
};
// The services come from the registry (libs/registry/services.json): every process but the all-in-one.
const REGISTRY = JSON.parse(fs.readFileSync(path.join(ROOT, 'libs/registry/services.json'), 'utf8')).services;
const PROCESSES = REGISTRY.filter((s) => s.role !== 'all-in-one').map((s) => s.name);

/** The settings class a service's config.ts extends: which token secrets it reads. */
function configBase(service) {
  const file = path.join(ROOT, 'services', service, 'src/config.ts');
  const m = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').match(/class \w+ extends (\w+)/) : null;
  return m ? m[1] : 'CommonConfig';
}
const readsJwt = (service) => ['JwtConfig', 'ControlPlaneJwtConfig'].includes(configBase(service));
const readsCpJwt = (service) => configBase(service) === 'ControlPlaneJwtConfig';

const ROLES = Object.fromEntries([
  ...PROCESSES.map((name) => [
    name,
    [...ENV.common, ...(readsJwt(name) ? ENV.jwt : []), ...(readsCpJwt(name) ? ENV.cpJwt : []), ...(name === 'gateway' ? ENV.gateway : [])],
  ]),
  ['migrate', [...ENV.common]],
]);
// No secret has a default: each process must be given the ones its settings read.
const REQUIRED = Object.fromEntries([
  ...PROCESSES.map((name) => [
    name,
    [
      ...(name === 'gateway' ? [] : ['DATABASE_URL', 'DATABASE_APP_PASSWORD']),
      'NATS_URL',
      ...(readsJwt(name) ? ['JWT_SECRET'] : []),
      ...(readsCpJwt(name) ? ['CP_JWT_SECRET'] : []),
    ],
  ]),
  ['migrate', ['DATABASE_URL', 'DATABASE_APP_PASSWORD']],
]);
const ENTRYPOINTS = {
  ...Object.fromEntries(PROCESSES.map((name) => [name, `dist/services/${name}/src/main.js`])),
  migrate: 'dist/tools/migrate.js',
};
/** The processes that run as long-lived services (everything but the one-shot migration). */
const SERVICES = PROCESSES;

/** Names declared as UPPER_CASE properties of services/<name>/src/config.ts (settings added since). */
function declaredSettings(service) {
  const file = path.join(ROOT, 'services', service, 'src/config.ts');
  if (!fs.existsSync(file)) return [];
  const names = [];
  for (const m of fs.readFileSync(file, 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]*)\s*[?!]?\s*[:=]/gm)) names.push(m[1]);
  return names;
}
const allowedCache = new Map();
function allowedEnv(role) {
  if (!allowedCache.has(role)) allowedCache.set(role, new Set([...(ROLES[role] ?? ENV.common), ...declaredSettings(role)]));
  return allowedCache.get(role);
}
const ALL_ENV = () => new Set(Object.keys(ROLES).flatMap((r) => [...allowedEnv(r)]));

// ------------------------------------------------------------------------------------------
// Reporting
let passed = 0;
let failed = 0;
let warned = 0;
let skipped = 0;
function begin(name) {
  console.log(`\n${name}`);
}
function pass(msg) {
  passed++;
  if (VERBOSE) console.log(`  ok    ${msg}`);
}
function fail(msg) {
  failed++;
  console.log(`  FAIL  ${msg}`);
}
function warn(msg) {
  warned++;
  console.log(`  warn  ${msg}`);
}
function skip(msg) {
  skipped++;
  console.log(`  skip  ${msg}`);
}
function check(ok, msg) {
  if (ok) pass(msg);
  else fail(msg);
  return ok;
}
function rel(p) {
  return path.relative(ROOT, p) || '.';
}
function read(p) {
  return fs.readFileSync(p, 'utf8');
}

// ------------------------------------------------------------------------------------------
// YAML
function yamlLib() {
  try {
    const Y = require('yaml');
    return {
      name: `yaml ${safeVersion('yaml')}`,
      parseAll(src) {
        return Y.parseAllDocuments(src, { merge: true }).map((d) => {
          if (d.errors && d.errors.length) throw new Error(String(d.errors[0].message || d.errors[0]));
          return d.toJSON();
        });
      },
    };
  } catch {
    /* fall through */
  }
  try {
    const J = require('js-yaml');
    return { name: `js-yaml ${safeVersion('js-yaml')}`, parseAll: (src) => J.loadAll(src) };
  } catch {
    return null;
  }
}
function safeVersion(pkg) {
  try {
    let dir = path.dirname(require.resolve(pkg));
    while (dir !== path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (fs.existsSync(manifest)) {
        const json = JSON.parse(read(manifest));
        if (json.name === pkg) return json.version;
      }
      dir = path.dirname(dir);
    }
  } catch {
    /* unknown */
  }
  return '?';
}
const YAML = yamlLib();
if (!YAML) {
  console.error('deploy/validate.js needs the `yaml` package (npm i -D yaml) or js-yaml in node_modules.');
  process.exit(2);
}
function parseYamlFile(file) {
  try {
    const docs = YAML.parseAll(read(file)).filter((d) => d !== null && d !== undefined);
    pass(`${rel(file)} parses`);
    return docs;
  } catch (e) {
    fail(`${rel(file)} does not parse: ${e.message.split('\n')[0]}`);
    return null;
  }
}
function parseYamlOne(file) {
  const docs = parseYamlFile(file);
  if (!docs) return null;
  if (docs.length !== 1) {
    fail(`${rel(file)} must hold one YAML document (has ${docs.length})`);
    return null;
  }
  return docs[0];
}

function isMap(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function getPath(obj, parts) {
  let cur = obj;
  for (const p of parts) {
    if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, p)) return { found: false };
    cur = cur[p];
  }
  return { found: true, value: cur };
}
function deepMerge(a, b) {
  if (!isMap(a) || !isMap(b)) return b === undefined ? a : b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in a ? deepMerge(a[k], v) : v;
  return out;
}
function walkFiles(dir, filter, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (filter.dir ? filter.dir(p, e.name) : true) walkFiles(p, filter, out);
    } else if (filter.file(p, e.name)) out.push(p);
  }
  return out;
}

// ------------------------------------------------------------------------------------------
function checkFilesExist() {
  begin('Files');
  for (const f of [
    '.dockerignore',
    'deploy/docker/Dockerfile',
    'docker-compose.yml',
    'deploy/README.md',
    'deploy/helm/opsplane/Chart.yaml',
    'deploy/helm/opsplane/values.yaml',
    'deploy/helm/opsplane/templates/_helpers.tpl',
    'deploy/helm/opsplane/templates/NOTES.txt',
  ]) check(fs.existsSync(path.join(ROOT, f)), `${f} exists`);
}

function checkAllYamlParses() {
  begin('YAML (outside Helm templates)');
  const files = walkFiles(path.join(ROOT, 'deploy'), {
    dir: (p, name) => name !== 'templates' && name !== 'node_modules',
    file: (p, name) => /\.ya?ml$/.test(name),
  });
  files.push(path.join(ROOT, 'docker-compose.yml'));
  for (const f of files) if (fs.existsSync(f)) parseYamlFile(f);
}

// ------------------------------------------------------------------------------------------
function checkDockerignore() {
  begin('.dockerignore');
  const file = path.join(ROOT, '.dockerignore');
  if (!fs.existsSync(file)) return;
  const entries = new Set(
    read(file)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.replace(/^\*\*\//, '').replace(/^\//, '').replace(/\/$/, '')),
  );
  for (const need of ['node_modules', 'dist', '.git', '.data', 'coverage', 'bench/results']) {
    check(entries.has(need) || (need.startsWith('bench/') && entries.has('bench')), `.dockerignore excludes ${need}`);
  }
  for (const keep of ['libs', 'services', 'tools', 'package.json', 'package-lock.json', 'tsconfig.build.json']) {
    check(!entries.has(keep), `.dockerignore keeps ${keep} (needed by the build)`);
  }
}

// ------------------------------------------------------------------------------------------
function dockerfileInstructions(src) {
  const lines = src.split('\n');
  const out = [];
  let cur = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!cur && (/^\s*#/.test(line) || !line.trim())) continue;
    if (cur && /^\s*#/.test(line)) continue; // comment inside a continued instruction
    if (!cur) start = i + 1;
    if (/\\\s*$/.test(line)) {
      cur += line.replace(/\\\s*$/, ' ');
      continue;
    }
    cur += line;
    const m = cur.trim().match(/^(\w+)\s*(.*)$/s);
    if (m) out.push({ line: start, op: m[1].toUpperCase(), args: m[2].trim() });
    cur = '';
  }
  return out;
}

function checkDockerfile() {
  begin('deploy/docker/Dockerfile');
  const file = path.join(ROOT, 'deploy/docker/Dockerfile');
  if (!fs.existsSync(file)) return;
  const src = read(file);
  const ins = dockerfileInstructions(src);
  const known = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER']);
  for (const i of ins) if (!known.has(i.op)) fail(`line ${i.line}: unknown instruction ${i.op}`);

  const globalArgs = {};
  const stages = [];
  for (const i of ins) {
    if (i.op === 'ARG' && stages.length === 0) {
      const [k, v] = i.args.split('=');
      globalArgs[k.trim()] = v === undefined ? undefined : v.trim().replace(/^"|"$/g, '');
    }
    if (i.op === 'FROM') {
      const m = i.args.match(/^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i);
      if (!check(!!m, `line ${i.line}: FROM parses`)) continue;
      const image = m[1].replace(/\$\{?(\w+)\}?/g, (_, k) => globalArgs[k] ?? `<${k}?>`);
      const from = stages.find((s) => s.name === image);
      stages.push({ name: m[2] ? m[2].toLowerCase() : String(stages.length), image, base: from ? from.base : image, ins: [] });
      continue;
    }
    if (stages.length) stages[stages.length - 1].ins.push(i);
  }
  if (!check(stages.length >= 2, `multi-stage build (${stages.length} stages)`)) return;
  // Every stage on the same official Node.js image, an LTS line (even major) the code supports (engines: >= 20.19).
  for (const s of stages) {
    const m = /^node:(\d+)-[a-z]+-slim$/.exec(s.base);
    check(!!m && Number(m[1]) % 2 === 0 && Number(m[1]) >= 20, `stage ${s.name} is based on a slim Node.js LTS image (${s.base})`);
    check(s.base === stages[0].base, `stage ${s.name} uses the same base image as the first stage (${s.base})`);
  }
  const names = new Set();
  stages.forEach((s) => {
    check(!names.has(s.name), `stage name ${s.name} is unique`);
    for (const i of s.ins) {
      const m = i.op === 'COPY' && i.args.match(/--from=(\S+)/);
      if (m) check(names.has(m[1].toLowerCase()) || /[:/]/.test(m[1]), `line ${i.line}: COPY --from=${m[1]} names an earlier stage`);
    }
    names.add(s.name);
  });

  const runs = stages.flatMap((s) => s.ins.filter((i) => i.op === 'RUN').map((i) => i.args)).join('\n');
  check(/npm ci\b/.test(runs), 'a build stage runs npm ci');
  check(/npm run build\b/.test(runs), 'a build stage runs npm run build');
  check(/npm (ci|prune)\b[^\n]*--omit=dev/.test(runs), 'runtime dependencies are installed without dev dependencies');

  const final = stages[stages.length - 1];
  const copies = final.ins.filter((i) => i.op === 'COPY').map((i) => i.args);
  check(copies.some((c) => /node_modules/.test(c)), 'runtime stage copies node_modules');
  check(copies.some((c) => /\bdist\b/.test(c)), 'runtime stage copies dist');
  check(copies.some((c) => /package\.json/.test(c)), 'runtime stage copies package.json');
  check(
    copies.some((c) => /--from=manifests/.test(c)) || copies.some((c) => /libs\/\*\/package\.json/.test(c)),
    'runtime stage copies libs/*/package.json and services/*/package.json (the workspace links resolve through them)',
  );
  const users = final.ins.filter((i) => i.op === 'USER').map((i) => i.args);
  const user = users[users.length - 1];
  check(!!user && !/^(root|0)(:|$)/.test(user), `runtime stage runs as a non-root user (${user ?? 'none'})`);
  if (user && !/^\d+(:\d+)?$/.test(user)) warn(`USER ${user} is not numeric: Kubernetes cannot verify runAsNonRoot without runAsUser`);
  const cmds = final.ins.filter((i) => i.op === 'CMD');
  const cmd = cmds[cmds.length - 1];
  let argv = null;
  try {
    argv = cmd ? JSON.parse(cmd.args) : null;
  } catch {
    argv = null;
  }
  if (check(Array.isArray(argv), 'CMD is in exec (JSON) form')) {
    check(argv[0] === 'node' && Object.values(ENTRYPOINTS).includes(argv[1]), `CMD starts a known entrypoint (${argv.join(' ')})`);
  }
  check(final.ins.some((i) => i.op === 'ENV' && /NODE_ENV=production/.test(i.args)), 'runtime stage sets NODE_ENV=production');
  check(final.ins.some((i) => i.op === 'EXPOSE' && /\b8080\b/.test(i.args)), 'runtime stage exposes 8080');

  if (OFFLINE) return;
  let utils = null;
  try {
    utils = require('dockerfile-utils');
  } catch {
    skip('dockerfile-utils not installed: no lint by a Dockerfile parser');
  }
  if (utils) {
    const problems = utils.validate(src, {});
    check(problems.length === 0, `dockerfile-utils lint${problems.length ? `: ${problems.map((p) => `line ${p.range.start.line + 1}: ${p.message}`).join('; ')}` : ''}`);
  }
}

// ------------------------------------------------------------------------------------------
/**
 * The image installs `dependencies` only (npm ci --omit=dev): every package the compiled code
 * imports at run time must be listed there, not in devDependencies.
 */
function checkRuntimeDependencies() {
  begin('Runtime dependencies (the image omits devDependencies)');
  const pkg = JSON.parse(read(path.join(ROOT, 'package.json')));
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const dev = new Set(Object.keys(pkg.devDependencies ?? {}));
  const builtins = new Set(require('module').builtinModules);
  // The image runs the services, the libraries and the operators' tools (migrate, cli); the other
  // tools (openapi, new-service, proto, rca-eval) are for developers, with the devDependencies.
  const RUNTIME_TOOLS = new Set(['migrate.ts', 'cli.ts', 'cli-errors.ts']);
  const files = ['libs', 'services', 'tools'].flatMap((d) =>
    walkFiles(path.join(ROOT, d), {
      dir: (p, name) => !['node_modules', '__tests__', 'dist'].includes(name),
      file: (p, name) => /\.ts$/.test(name) && !/\.(spec|test|integration-spec|d)\.ts$/.test(name) && (d !== 'tools' || RUNTIME_TOOLS.has(name)),
    }),
  );
  const users = new Map();
  for (const f of files) {
    const src = read(f);
    const re = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport(?:Esm)?\(\s*['"]([^'"]+)['"]\s*\)/gm;
    for (const m of src.matchAll(re)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec || spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('@opsplane/')) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (builtins.has(name)) continue;
      if (!users.has(name)) users.set(name, []);
      users.get(name).push(rel(f));
    }
  }
  // What `npm ci --omit=dev --omit=optional` installs: the lock's top-level non-dev, non-optional entries.
  let lock = {};
  try {
    lock = JSON.parse(read(path.join(ROOT, 'package-lock.json'))).packages ?? {};
  } catch {
    warn('package-lock.json unreadable: transitive runtime packages not checked');
  }
  const inImage = (name) => {
    const e = lock[`node_modules/${name}`];
    return !!e && !e.dev && !e.optional && !e.devOptional;
  };
  for (const [name, where] of [...users].sort()) {
    const at = [...new Set(where)].slice(0, 3).join(', ');
    if (deps.has(name)) pass(`${name} is a dependency`);
    else if (inImage(name)) warn(`${name} is imported (${at}) but only installed as another dependency's dependency: declare it in "dependencies"`);
    else fail(`${name} is imported at run time (${at}) but is ${dev.has(name) ? 'a devDependency' : 'not a dependency'} in package.json: the image (npm ci --omit=dev) will not have it`);
  }
}

// ------------------------------------------------------------------------------------------
/** Compose-style ${VAR:-default} interpolation, taking the defaults (what the file itself says). */
/** A value the operator must give (`${NAME:?message}`): no default to check, only its presence. */
const OPERATOR_GIVEN = '<given by the operator>';
function interpolate(value) {
  if (typeof value !== 'string') return value;
  return value.replace(/\$\$|\$\{(\w+)(?::?([-?])([^}]*))?\}|\$(\w+)/g, (all, a, op, def, b) => {
    if (all === '$$') return '$';
    const name = a || b;
    if (process.env[name] !== undefined && process.env[name] !== '') return process.env[name];
    return op === '?' ? OPERATOR_GIVEN : (def ?? '');
  });
}
/** The secrets of a Compose file: each must be required from the operator (`${NAME:?...}`), never defaulted. */
const SECRET_SETTINGS = ['JWT_SECRET', 'CP_JWT_SECRET', 'DATABASE_APP_PASSWORD', 'CP_ADMIN_PASSWORD', 'POSTGRES_PASSWORD'];
function envMap(environment) {
  if (!environment) return {};
  if (Array.isArray(environment)) {
    const out = {};
    for (const e of environment) {
      const [k, ...v] = String(e).split('=');
      out[k] = v.length ? v.join('=') : undefined;
    }
    return out;
  }
  return environment;
}

function checkEnvFor(where, role, names, values) {
  const allowed = allowedEnv(role);
  for (const n of names) check(allowed.has(n), `${where}: ${n} is a setting ${role} reads`);
  for (const n of REQUIRED[role] ?? []) check(names.includes(n), `${where}: sets ${n}`);
  if (!values) return;
  values = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== OPERATOR_GIVEN));
  if ('JWT_SECRET' in values && values.JWT_SECRET !== undefined) check(String(values.JWT_SECRET).length >= 32, `${where}: JWT_SECRET has at least 32 characters`);
  if ('CP_JWT_SECRET' in values && values.CP_JWT_SECRET !== undefined) {
    check(String(values.CP_JWT_SECRET).length >= 32, `${where}: CP_JWT_SECRET has at least 32 characters`);
    if (values.JWT_SECRET !== undefined) check(values.CP_JWT_SECRET !== values.JWT_SECRET, `${where}: CP_JWT_SECRET differs from JWT_SECRET`);
  }
  if (values.CP_ADMIN_EMAIL !== undefined) check(names.includes('CP_ADMIN_PASSWORD'), `${where}: CP_ADMIN_EMAIL comes with CP_ADMIN_PASSWORD`);
  if ('CP_ADMIN_PASSWORD' in values && values.CP_ADMIN_PASSWORD !== undefined) check(String(values.CP_ADMIN_PASSWORD).length >= 12, `${where}: CP_ADMIN_PASSWORD has at least 12 characters`);
  if ('DATABASE_APP_PASSWORD' in values && values.DATABASE_APP_PASSWORD !== undefined) check(String(values.DATABASE_APP_PASSWORD).length >= 8, `${where}: DATABASE_APP_PASSWORD has at least 8 characters`);
  if ('MIGRATE_ON_START' in values) check(['true', 'false'].includes(String(values.MIGRATE_ON_START)), `${where}: MIGRATE_ON_START is true or false`);
  if ('NODE_ENV' in values) check(['production', 'development', 'test'].includes(String(values.NODE_ENV)), `${where}: NODE_ENV is valid`);
  if ('LOG_LEVEL' in values) check(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'].includes(String(values.LOG_LEVEL)), `${where}: LOG_LEVEL is valid`);
  if (values.DATABASE_URL) check(/^postgres(ql)?:\/\//.test(values.DATABASE_URL), `${where}: DATABASE_URL is a postgres:// URL`);
  if (values.NATS_URL) check(/^(nats|tls):\/\//.test(values.NATS_URL), `${where}: NATS_URL is a nats:// URL`);
  for (const n of ['DATABASE_POOL_SIZE', 'RPC_TIMEOUT_MS', 'JWT_ACCESS_TTL_S', 'CP_JWT_TTL_S', 'PORT', 'BODY_LIMIT_BYTES', 'SUSPENSION_POLL_MS']) {
    if (values[n] !== undefined) check(/^\d+$/.test(String(values[n])), `${where}: ${n} is an integer`);
  }
}

function checkEntrypoint(where, argv, role) {
  if (!check(Array.isArray(argv) && argv[0] === 'node', `${where}: command is ["node", <script>]`)) return;
  const script = argv[argv.length - 1];
  check(script === ENTRYPOINTS[role], `${where}: starts ${ENTRYPOINTS[role]} (${script})`);
  const source = path.join(ROOT, script.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
  if (!fs.existsSync(source)) warn(`${where}: ${rel(source)} does not exist (yet): ${script} will be missing from the image`);
}

function checkCompose() {
  begin('docker-compose.yml');
  const file = path.join(ROOT, 'docker-compose.yml');
  if (!fs.existsSync(file)) return;
  const doc = YAML.parseAll(read(file))[0];
  if (!check(isMap(doc) && isMap(doc.services), 'has services')) return;
  const s = doc.services;
  for (const name of ['postgres', 'nats', 'migrate', ...SERVICES]) check(isMap(s[name]), `service ${name} is defined`);
  for (const name of Object.keys(s)) check(['postgres', 'nats', 'redis', 'migrate', ...SERVICES].includes(name), `service ${name} is infrastructure or a service of the registry`);

  if (isMap(s.postgres)) {
    const m = String(s.postgres.image ?? '').match(/^postgres:(\d+)/);
    check(!!m && Number(m[1]) >= 15, `postgres image is PostgreSQL 15+ (${s.postgres.image})`);
    check(isMap(s.postgres.healthcheck) && !!s.postgres.healthcheck.test, 'postgres has a healthcheck');
  }
  if (isMap(s.nats)) {
    check(/^nats:2\.10/.test(String(s.nats.image ?? '')), `nats image is NATS 2.10 (${s.nats.image})`);
    const cmd = Array.isArray(s.nats.command) ? s.nats.command : String(s.nats.command ?? '').split(/\s+/);
    check(cmd.includes('-js') || cmd.includes('--jetstream'), 'nats runs with JetStream (-js)');
    check(Array.isArray(s.nats.volumes) && s.nats.volumes.length > 0, 'nats keeps its JetStream store on a volume');
    const sd = cmd.indexOf('-sd') >= 0 ? cmd[cmd.indexOf('-sd') + 1] : cmd.indexOf('--store_dir') >= 0 ? cmd[cmd.indexOf('--store_dir') + 1] : null;
    if (sd) check(s.nats.volumes.some((v) => String(v).split(':')[1] === sd), `the nats volume is mounted on its store dir ${sd}`);
    check(isMap(s.nats.healthcheck) && !!s.nats.healthcheck.test, 'nats has a healthcheck');
  }

  const images = new Set();
  for (const role of ['migrate', ...SERVICES]) {
    const svc = s[role];
    if (!isMap(svc)) continue;
    const where = `compose ${role}`;
    const build = isMap(svc.build) ? svc.build : { context: svc.build };
    check(build.dockerfile === 'deploy/docker/Dockerfile', `${where}: built from deploy/docker/Dockerfile`);
    if (build.context && build.dockerfile) check(fs.existsSync(path.join(ROOT, build.context, build.dockerfile)), `${where}: the Dockerfile exists in the build context`);
    images.add(interpolate(svc.image));
    checkEntrypoint(where, svc.command, role);
    const env = envMap(svc.environment);
    const values = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v === null ? undefined : String(v))]));
    for (const [k, v] of Object.entries(env)) {
      const secretsIn = SECRET_SETTINGS.filter((n) => k === n || String(v ?? '').includes(`\${${n}`));
      for (const n of secretsIn) {
        check(new RegExp(`\\$\\{${n}:\\?[^}]+\\}`).test(String(v ?? '')), `${where}: ${k} takes ${n} from the operator (\${${n}:?...}), with no default`);
      }
    }
    checkEnvFor(where, role, Object.keys(env), values);
    if (role !== 'migrate') {
      check(values.MIGRATE_ON_START === 'false', `${where}: MIGRATE_ON_START=false (the migrate service runs them)`);
      const dep = isMap(svc.depends_on) ? svc.depends_on : {};
      check(dep.migrate?.condition === 'service_completed_successfully', `${where}: waits for migrate to complete successfully`);
      check(dep.postgres?.condition === 'service_healthy', `${where}: waits for postgres to be healthy`);
      check(dep.nats?.condition === 'service_healthy', `${where}: waits for nats to be healthy`);
    } else {
      check(svc.depends_on?.postgres?.condition === 'service_healthy', `${where}: waits for postgres to be healthy`);
      check(svc.restart === undefined || svc.restart === 'no', `${where}: is not restarted (one-shot)`);
    }
  }
  check(images.size === 1, `migrate, ${SERVICES.join(', ')} share one image (${[...images].join(', ')})`);
  if (isMap(s.gateway)) {
    check(envMap(s.gateway.environment).HOST === '0.0.0.0', 'gateway listens on every interface of its container (HOST: 0.0.0.0)');
    const ports = (s.gateway.ports ?? []).map((p) => (isMap(p) ? String(p.target) : interpolate(String(p)).split(':').pop()));
    check(ports.includes('8080'), 'gateway publishes container port 8080');
    check(isMap(s.gateway.healthcheck) && /\/health\/live/.test(JSON.stringify(s.gateway.healthcheck.test)), 'gateway healthcheck calls /health/live');
  }
}

// ------------------------------------------------------------------------------------------
function checkChart() {
  begin('Helm chart deploy/helm/opsplane');
  const chart = parseYamlOne(path.join(CHART, 'Chart.yaml'));
  if (chart) {
    check(chart.apiVersion === 'v2', 'Chart.yaml apiVersion is v2');
    check(/^[a-z0-9-]+$/.test(chart.name ?? ''), `Chart.yaml name (${chart.name})`);
    check(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(String(chart.version ?? '')), `Chart.yaml version is SemVer (${chart.version})`);
    check(typeof chart.appVersion === 'string' && chart.appVersion.length > 0, 'Chart.yaml appVersion is a string');
    check((chart.type ?? 'application') === 'application', 'Chart.yaml type is application');
  }
  const values = parseYamlOne(path.join(CHART, 'values.yaml'));
  if (!values) return;

  // Templates: `.Values.a.b` paths, per-service `$svc.a.b` paths, included helpers.
  const templates = walkFiles(path.join(CHART, 'templates'), { file: (p, n) => /\.(ya?ml|tpl|txt)$/.test(n) });
  const defined = new Set();
  const sources = templates.map((f) => ({ file: f, src: read(f) }));
  for (const { src } of sources) for (const m of src.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)) defined.add(m[1]);
  const services = isMap(values.services) ? values.services : {};
  const serviceShapes = [values.serviceDefaults ?? {}, ...Object.values(services).map((own) => deepMerge(values.serviceDefaults ?? {}, own ?? {}))];
  const seenValues = new Set();
  for (const { file, src } of sources) {
    const actions = [...src.matchAll(/\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
    const body = actions.join('\n');
    for (const m of body.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const key = m[1].slice(1);
      if (seenValues.has(`${rel(file)}:${key}`)) continue;
      seenValues.add(`${rel(file)}:${key}`);
      check(getPath(values, key.split('.')).found, `${rel(file)}: .Values.${key} exists in values.yaml`);
    }
    const svcVars = new Set(['svc']);
    for (const m of body.matchAll(/\$(\w+)\s*:=\s*include\s+"opsplane\.serviceValues"/g)) svcVars.add(m[1]);
    for (const v of svcVars) {
      const paths = new Set([...body.matchAll(new RegExp(`\\$${v}((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)`, 'g'))].map((m) => m[1].slice(1)));
      for (const p of paths) {
        const parts = p.split('.');
        const found = serviceShapes.some((shape) => getPath(shape, parts).found);
        check(found, `${rel(file)}: $${v}.${parts.join('.')} exists in serviceDefaults or a service`);
      }
    }
    for (const helper of new Set([...body.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)].map((m) => m[1]))) {
      check(defined.has(helper), `${rel(file)}: helper "${helper}" is defined`);
    }
  }
  // Env names the templates write themselves.
  const tplNames = new Set();
  for (const { src } of sources) {
    for (const m of src.matchAll(/-\s+name:\s+([A-Z][A-Z0-9_]*)\s*$/gm)) tplNames.add(m[1]);
    for (const block of src.matchAll(/define\s+"opsplane\.(?:commonConfig|jwtConfig|cpJwtConfig)"\s*-?\}\}([\s\S]*?)\{\{-?\s*end\s*-?\}\}\s*$/gm)) {
      for (const m of block[1].matchAll(/^([A-Z][A-Z0-9_]*):/gm)) tplNames.add(m[1]);
    }
  }
  const all = ALL_ENV();
  for (const n of tplNames) check(all.has(n), `templates: ${n} is a setting the services read`);

  // Values: services.
  check(Object.keys(services).length > 0, 'values.services lists the services');
  for (const [name, own] of Object.entries(services)) {
    const where = `values services.${name}`;
    if (!(name in ROLES)) warn(`${where}: not a known service (env names checked against the common settings)`);
    check(isMap(own) && typeof own.enabled === 'boolean', `${where}: has enabled: true|false`);
    const svc = deepMerge(values.serviceDefaults ?? {}, own ?? {});
    checkEntrypoint(where, svc.args, name in ROLES ? name : 'migrate');
    const env = isMap(svc.env) ? svc.env : {};
    const allowed = allowedEnv(name);
    for (const k of Object.keys(env)) check(allowed.has(k), `${where}.env: ${k} is a setting ${name} reads`);
    check(Number.isInteger(svc.replicas) && svc.replicas >= 1, `${where}: replicas is a positive integer`);
    check(isMap(svc.resources) && isMap(svc.resources.requests), `${where}: has resource requests`);
    // Token secrets exactly where its settings read them (services/<name>/src/config.ts).
    check((svc.jwt === true) === readsJwt(name), `${where}: jwt ${readsJwt(name) ? 'on' : 'off'} (its settings ${readsJwt(name) ? 'read' : 'do not read'} JWT_SECRET)`);
    check((svc.cpJwt === true) === readsCpJwt(name), `${where}: cpJwt ${readsCpJwt(name) ? 'on' : 'off'} (its settings ${readsCpJwt(name) ? 'read' : 'do not read'} CP_JWT_SECRET)`);
    check((svc.cpHost === true) === (name === 'gateway'), `${where}: cpHost ${name === 'gateway' ? 'on' : 'off'} (only the gateway reads CP_HOST)`);
    check((svc.cpAdmin === true) === (name === 'control-plane'), `${where}: cpAdmin ${name === 'control-plane' ? 'on' : 'off'} (only the control plane creates the first operator)`);
  }
  const falseOnly = (obj, at) => {
    for (const [k, v] of Object.entries(obj ?? {})) {
      if (v === true) fail(`values serviceDefaults.${at}${k} is true: a service's false could not override it in Helm's merge`);
      else if (isMap(v)) falseOnly(v, `${at}${k}.`);
    }
  };
  falseOnly(values.serviceDefaults, '');
  const gw = services.gateway ? deepMerge(values.serviceDefaults ?? {}, services.gateway) : null;
  if (check(!!gw, 'values define the gateway')) {
    check(gw.http?.port === 8080, 'gateway listens on 8080');
    check(gw.readinessProbe?.httpGet?.path === '/health/ready', 'gateway readiness probe is GET /health/ready');
    check(gw.livenessProbe?.httpGet?.path === '/health/live', 'gateway liveness probe is GET /health/live');
    check(gw.pdb?.enabled === true, 'gateway has a PodDisruptionBudget');
    // /metrics is served on its own port, never by the API (whose port the Ingress exposes).
    check(!JSON.stringify(gw).includes('/metrics'), 'no gateway probe or route uses /metrics (it is on the metrics port)');
  }
  const metrics = values.metrics ?? {};
  if (check(isMap(values.metrics) && typeof metrics.enabled === 'boolean', 'values metrics.enabled is true|false')) {
    check(Number.isInteger(metrics.port) && metrics.port > 0 && metrics.port < 65536, `values metrics.port is a port (${metrics.port})`);
    check(!Object.values(services).some((own) => deepMerge(values.serviceDefaults ?? {}, own ?? {}).http?.port === metrics.port), 'values metrics.port is no service\'s HTTP port');
  }
  for (const name of SERVICES.filter((n) => n !== 'gateway')) {
    if (!services[name]) continue;
    const svc = deepMerge(values.serviceDefaults ?? {}, services[name]);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      check(!svc[probe]?.httpGet, `${name}: no HTTP ${probe} (it has no HTTP port)`);
    }
  }
  const psc = values.podSecurityContext ?? {};
  const csc = values.securityContext ?? {};
  check(psc.runAsNonRoot === true, 'podSecurityContext.runAsNonRoot');
  check(Number.isInteger(psc.runAsUser) && psc.runAsUser !== 0, 'podSecurityContext.runAsUser is a non-root uid');
  check(csc.readOnlyRootFilesystem === true, 'securityContext.readOnlyRootFilesystem');
  check(csc.allowPrivilegeEscalation === false, 'securityContext.allowPrivilegeEscalation is false');
  check((csc.capabilities?.drop ?? []).includes('ALL'), 'securityContext drops ALL capabilities');
  check(values.migration?.enabled === true, 'migration hook Job enabled by default');
  checkEntrypoint('values migration', values.migration?.args, 'migrate');
  check(isMap(values.secrets) && 'existingSecret' in values.secrets, 'values.secrets supports existingSecret');
  for (const k of ['databaseUrl', 'databaseAppPassword', 'jwtSecret', 'cpJwtSecret', 'cpAdminPassword']) {
    check(values.secrets?.[k] === '', `values.secrets.${k} has no default (never ship a secret)`);
  }
  check(isMap(values.ingress) && values.ingress.enabled === false, 'ingress is optional (off by default)');
  check(isMap(values.ingress?.controlPlane) && Array.isArray(values.ingress.controlPlane.paths), 'ingress has the paths of the control-plane host rule');
  check(isMap(values.controlPlane) && values.controlPlane.host === '', 'controlPlane.host is optional (empty by default)');
  check(values.controlPlane?.adminEmail === '', 'controlPlane.adminEmail has no default (no well-known operator)');
  for (const name of SERVICES) check(name in services, `values.services has ${name}`);
  for (const name of Object.keys(services)) check(SERVICES.includes(name), `values.services.${name} is a service of the registry`);
}

// ------------------------------------------------------------------------------------------
// Rendered manifests (with helm)
function checkRendered(label, docs) {
  const configMaps = new Map();
  for (const d of docs) if (d.kind === 'ConfigMap') configMaps.set(d.metadata.name, d.data ?? {});
  const kinds = {};
  const cpHosts = new Set();
  for (const d of docs) {
    const ok = isMap(d) && d.apiVersion && d.kind && d.metadata?.name;
    if (!check(!!ok, `${label}: every object has apiVersion, kind and metadata.name`)) continue;
    kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
    check(d.metadata.name.length <= 63, `${label}: ${d.kind}/${d.metadata.name} name fits 63 characters`);
    const pod = d.kind === 'Pod' ? d.spec : d.spec?.template?.spec;
    if (!pod || d.kind === 'Pod' && d.metadata.annotations?.['helm.sh/hook'] === 'test') {
      if (pod) check(pod.securityContext?.runAsNonRoot === true, `${label}: ${d.kind}/${d.metadata.name} runs as non-root`);
      continue;
    }
    const role = d.metadata.labels?.['app.kubernetes.io/component'];
    const where = `${label}: ${d.kind}/${d.metadata.name}`;
    check(pod.securityContext?.runAsNonRoot === true, `${where} runs as non-root`);
    for (const c of pod.containers ?? []) {
      check(c.securityContext?.readOnlyRootFilesystem === true, `${where} has a read-only root filesystem`);
      check((c.securityContext?.capabilities?.drop ?? []).includes('ALL'), `${where} drops ALL capabilities`);
      // envFrom first, then env (which wins in Kubernetes, as a per-service override).
      const own = (c.env ?? []).map((e) => e.name);
      check(new Set(own).size === own.length, `${where}: no variable is listed twice in env`);
      const fromMaps = [];
      const values = {};
      for (const ef of c.envFrom ?? []) {
        const data = ef.configMapRef ? configMaps.get(ef.configMapRef.name) : null;
        if (ef.configMapRef && check(!!data, `${where}: ConfigMap ${ef.configMapRef.name} is in the release`)) {
          for (const k of Object.keys(data)) check(!fromMaps.includes(k), `${where}: ${k} comes from one ConfigMap only`);
          fromMaps.push(...Object.keys(data));
          Object.assign(values, data);
        }
      }
      for (const e of c.env ?? []) if ('value' in e) values[e.name] = e.value;
      const names = [...new Set([...fromMaps, ...own])];
      checkEntrypoint(where, c.args ?? c.command, role in ROLES ? role : 'migrate');
      checkEnvFor(where, role in ROLES ? role : 'migrate', names, values);
      if (role === 'gateway') {
        if (values.CP_HOST) cpHosts.add(values.CP_HOST);
        check(c.readinessProbe?.httpGet?.path === '/health/ready', `${where}: readiness GET /health/ready`);
        check(c.livenessProbe?.httpGet?.path === '/health/live', `${where}: liveness GET /health/live`);
      }
      if (d.kind === 'Deployment' && 'MIGRATE_ON_START' in values && docs.some((x) => x.kind === 'Job')) {
        check(values.MIGRATE_ON_START === 'false', `${where}: MIGRATE_ON_START=false while the migration Job runs`);
      }
    }
    if (d.kind === 'Job') {
      const hooks = String(d.metadata.annotations?.['helm.sh/hook'] ?? '');
      check(hooks.includes('pre-install') && hooks.includes('pre-upgrade'), `${where} is a pre-install/pre-upgrade hook`);
      for (const e of pod.containers.flatMap((c) => c.env ?? [])) {
        const ref = e.valueFrom?.secretKeyRef?.name;
        if (!ref) continue;
        const secret = docs.find((x) => x.kind === 'Secret' && x.metadata.name === ref);
        if (secret) check(/pre-install/.test(secret.metadata.annotations?.['helm.sh/hook'] ?? ''), `${where}: Secret ${ref} exists before the hook runs`);
      }
      check(!(pod.containers ?? []).some((c) => (c.envFrom ?? []).length), `${where}: reads no ConfigMap (none exists yet during pre-install)`);
    }
  }
  // Every Ingress rule goes to the gateway; the control-plane host (CP_HOST) has one.
  const gatewayService = docs.find((x) => x.kind === 'Service' && x.metadata.labels?.['app.kubernetes.io/component'] === 'gateway');
  for (const ing of docs.filter((x) => x.kind === 'Ingress')) {
    const rules = ing.spec?.rules ?? [];
    for (const r of rules) {
      for (const p of r.http?.paths ?? []) {
        check(!!gatewayService && p.backend?.service?.name === gatewayService.metadata.name, `${label}: Ingress rule ${r.host}${p.path} goes to the gateway Service`);
      }
    }
    for (const h of cpHosts) check(rules.some((r) => r.host === h), `${label}: Ingress has a rule for the control-plane host ${h} (CP_HOST)`);
  }
  if (VERBOSE) console.log(`  ${label}: ${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}`);
  return kinds;
}

/** Kubernetes' JSON schemas, from the kubernetes-models package when it resolves (types and required fields; not unknown fields). */
let k8sModels;
function schemaCheck(label, docs) {
  if (k8sModels === undefined) {
    try {
      require.resolve('kubernetes-models/apps/v1/Deployment');
      k8sModels = true;
    } catch {
      k8sModels = false;
      skip('kubernetes-models not installed: rendered manifests not checked against the Kubernetes schemas');
    }
  }
  if (!k8sModels) return;
  for (const d of docs) {
    const [group, version] = d.apiVersion.includes('/') ? d.apiVersion.split('/') : ['', d.apiVersion];
    // The Prometheus Operator's kinds are CRDs, not in the Kubernetes schemas.
    if (group === 'monitoring.coreos.com') continue;
    let Model;
    try {
      const mod = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${d.kind}`);
      Model = mod[d.kind] ?? mod.default;
    } catch {
      fail(`${label}: ${d.apiVersion} ${d.kind} is not a Kubernetes API kind`);
      continue;
    }
    try {
      new Model(d).validate();
      pass(`${label}: ${d.kind}/${d.metadata.name} matches the Kubernetes schema`);
    } catch (e) {
      fail(`${label}: ${d.kind}/${d.metadata.name} does not match the Kubernetes schema: ${e.message}`);
    }
  }
}

function findHelm() {
  const candidates = [process.env.HELM, 'helm'].filter(Boolean);
  for (const c of candidates) {
    const r = spawnSync(c, ['version', '--short'], { encoding: 'utf8' });
    if (r.status === 0) return { bin: c, version: r.stdout.trim() };
  }
  return null;
}

function checkWithHelm() {
  begin('Helm (lint and render)');
  if (OFFLINE) return skip('--offline');
  const helm = findHelm();
  if (!helm) return skip('helm not found (set HELM=/path/to/helm): chart not rendered');
  console.log(`  using ${helm.bin} ${helm.version}`);
  const valueFiles = fs.existsSync(path.join(CHART, 'ci')) ? fs.readdirSync(path.join(CHART, 'ci')).filter((f) => /-values\.ya?ml$/.test(f)) : [];
  check(valueFiles.length > 0, 'ci/*-values.yaml test value sets exist');
  for (const f of valueFiles) {
    const vf = path.join(CHART, 'ci', f);
    const lint = spawnSync(helm.bin, ['lint', '--strict', CHART, '-f', vf], { encoding: 'utf8' });
    check(lint.status === 0, `helm lint --strict -f ci/${f}${lint.status ? `\n${lint.stdout}${lint.stderr}` : ''}`);
    const tpl = spawnSync(helm.bin, ['template', 'opsplane', CHART, '-n', 'opsplane', '-f', vf], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (!check(tpl.status === 0, `helm template -f ci/${f}${tpl.status ? `\n${tpl.stderr}` : ''}`)) continue;
    let docs;
    try {
      docs = YAML.parseAll(tpl.stdout).filter(Boolean);
      pass(`ci/${f}: rendered manifests parse`);
    } catch (e) {
      fail(`ci/${f}: rendered manifests do not parse: ${e.message}`);
      continue;
    }
    const kinds = checkRendered(`ci/${f}`, docs);
    schemaCheck(`ci/${f}`, docs);
    check((kinds.Deployment ?? 0) >= 1, `ci/${f}: renders Deployments`);
  }
  const bare = spawnSync(helm.bin, ['template', 'opsplane', CHART, '--set', 'nats.url=nats://n:4222'], { encoding: 'utf8' });
  check(bare.status !== 0 && /secrets\.databaseUrl is required/.test(bare.stderr), 'render without secrets fails with a clear message');
  const short = spawnSync(helm.bin, ['template', 'opsplane', CHART, '-f', path.join(CHART, 'ci', valueFiles[0] ?? 'default-values.yaml'), '--set', 'secrets.jwtSecret=too-short'], { encoding: 'utf8' });
  check(short.status !== 0 && /at least 32 characters/.test(short.stderr), 'render with a short JWT secret fails');
  const base = ['template', 'opsplane', CHART, '-f', path.join(CHART, 'ci', valueFiles.includes('default-values.yaml') ? 'default-values.yaml' : valueFiles[0] ?? 'default-values.yaml')];
  const noCp = spawnSync(helm.bin, [...base, '--set', 'secrets.cpJwtSecret='], { encoding: 'utf8' });
  check(noCp.status !== 0 && /secrets\.cpJwtSecret is required/.test(noCp.stderr), 'render without the control-plane JWT secret fails');
  const shortCp = spawnSync(helm.bin, [...base, '--set', 'secrets.cpJwtSecret=too-short'], { encoding: 'utf8' });
  check(shortCp.status !== 0 && /cpJwtSecret must be at least 32 characters/.test(shortCp.stderr), 'render with a short control-plane JWT secret fails');
  const noPw = spawnSync(helm.bin, [...base, '--set', 'controlPlane.adminEmail=ops@example.com', '--set', 'secrets.cpAdminPassword='], { encoding: 'utf8' });
  check(noPw.status !== 0 && /secrets\.cpAdminPassword is required/.test(noPw.stderr), 'render with controlPlane.adminEmail but no secrets.cpAdminPassword fails');
  const shortPw = spawnSync(helm.bin, [...base, '--set', 'controlPlane.adminEmail=ops@example.com', '--set', 'secrets.cpAdminPassword=short'], { encoding: 'utf8' });
  check(shortPw.status !== 0 && /cpAdminPassword must be at least 12 characters/.test(shortPw.stderr), 'render with a short operator password fails');
}

function checkWithCompose() {
  begin('Compose (schema)');
  if (OFFLINE) return skip('--offline');
  const tries = [
    ['docker', ['compose', '-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q']],
    ['docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q']],
  ];
  for (const [bin, args] of tries) {
    const probe = spawnSync(bin, bin === 'docker' ? ['compose', 'version'] : ['version'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const r = spawnSync(bin, args, { encoding: 'utf8', cwd: ROOT });
    check(r.status === 0, `${bin === 'docker' ? 'docker compose' : bin} config -q accepts docker-compose.yml${r.status ? `\n${r.stderr}` : ''}`);
    return;
  }
  skip('neither `docker compose` nor docker-compose found: Compose schema not checked');
}

// ------------------------------------------------------------------------------------------
console.log(`deploy/validate.js (${YAML.name}${OFFLINE ? ', offline' : ''})`);
checkFilesExist();
checkAllYamlParses();
checkDockerignore();
checkDockerfile();
checkRuntimeDependencies();
checkCompose();
checkChart();
checkWithHelm();
checkWithCompose();
console.log('');
if (warned) console.log(`${warned} warning(s) (not failures): see "warn" above`);
console.log(`validate: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
