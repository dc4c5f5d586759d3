// The house rules of CONVENTIONS' "Layers: imports only go down", checked by `npm run lint` with no exceptions.
//   floor 3  app.module.ts, app.config.ts, main.ts, cli.ts, app.setup.ts, pipeline/, cli/   wiring only
//   floor 2  feature modules: may import floors 1 and 0, never each other in a circle
//   floor 1  access/ (principal type, @CurrentUser, @Public, @Roles, Role, roles guard, token source)
//   floor 0  common/, config/: import no feature at all
// A module that is not one of Warden's own (say src/notes/) may import only access/, common/, audit/, itself and,
// to declare its settings, config/settings.ts and config/readers.ts.

/** Warden's own feature folders. A folder added under src/ that is not listed here is held to the extension rule. */
const CORE = [
  'accounts',
  'admin',
  'alerts',
  'anomaly',
  'audit',
  'auth',
  'client',
  'csp-reports',
  'csrf',
  'database',
  'dbsc',
  'dpop',
  'health',
  'issuers',
  'keys',
  'known-devices',
  'lab',
  'logging',
  'mail',
  'mfa',
  'openapi',
  'redis',
  'sessions',
  'throttle',
  'tokens',
  'users',
];
const WIRING = '^src/(app\\.module|app\\.config|app\\.setup|main|cli)\\.ts$|^src/(pipeline|cli)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'floor-0-imports-no-feature',
      comment: 'common/ and config/ are the ground floor: every module may import them, so they import nothing above.',
      severity: 'error',
      from: { path: '^src/(common|config)/' },
      to: { path: '^src/', pathNot: '^src/(common|config)/' },
    },
    {
      name: 'access-floor-imports-only-ground-floor',
      comment: 'access/ is what every module needs to be protected: it may import common/ and config/ only.',
      severity: 'error',
      from: { path: '^src/access/' },
      to: { path: '^src/', pathNot: '^src/(access|common|config)/' },
    },
    {
      name: 'database-imports-no-feature',
      comment:
        'database/ holds the connection and the migrations; entities register with their module (forFeature) and ' +
        'migrations are found by file name, so it needs no feature.',
      severity: 'error',
      from: { path: '^src/database/' },
      to: { path: '^src/', pathNot: '^src/(database|common|config)/' },
    },
    {
      name: 'nothing-imports-the-wiring',
      comment: 'app.module, main, cli and pipeline/ wire the modules together; a module that imports them is a circle.',
      severity: 'error',
      from: { path: '^src/', pathNot: WIRING },
      to: { path: WIRING },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Two folders that import each other are one concern split in two, or a missing lower floor.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-file-cycles',
      comment: 'Also in the browser client: two files that need each other are one file, or a third is missing.',
      severity: 'error',
      from: { path: '^(src|client/src)/' },
      to: { circular: true },
    },
    {
      name: 'extension-module-imports-only-floors',
      comment:
        'A module added to Warden imports access/, common/, audit/, its own files and, to declare its settings, ' +
        'config/settings.ts and config/readers.ts; ' +
        'anything else goes through those floors (docs/EXTENDING.md).',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: [`^src/(${CORE.join('|')}|access|common|config|pipeline|cli)/`] },
      to: { path: '^src/', pathNot: ['^src/($1|access|common|audit)/', '^src/config/(settings|readers)\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
