// @ts-check
/**
 * The dependency direction of src/, checked by `npm run lint` (dependency-cruiser).
 *
 *   entry points, app/worker/core modules, cli/   may use everything below
 *   console/                               the study console: reads the features; nothing but the app imports it
 *   health/  performance/                  read the features; neither imports the other
 *   chat/                                  the conversation (uses ml)
 *   ml/                                    the classifier (never the conversation)
 *   database/  cache/  queue/  throttle/   infrastructure adapters
 *   metrics/                               a sink every module writes to; it reads nobody
 *   common/  config/                       shared by all
 *
 * Type-only imports count: a layer that needs a type from above it is as coupled as one that calls it.
 * console/web/ is browser code (bundled by esbuild): it may import only itself, the console's wire types and uPlot.
 */
const SRC = '^src/';
const FEATURE_CONSUMERS = '^src/(health|performance|cli|console)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be understood, tested or moved alone.',
      from: { path: SRC },
      to: { circular: true },
    },
    {
      name: 'runtime-stays-runtime',
      severity: 'error',
      comment: 'The service never imports offline tools, benchmarks or tests.',
      from: { path: SRC },
      to: { path: '^(bench|tools|test|migrations)/' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'Configuration is read first and depends on nothing of the service.',
      from: { path: '^src/config/' },
      to: { path: SRC, pathNot: '^src/config/' },
    },
    {
      name: 'common-is-shared',
      severity: 'error',
      comment: 'Shared pieces (errors, HTTP setup, logging) know no feature.',
      from: { path: '^src/common/' },
      to: { path: SRC, pathNot: '^src/(common|config)/' },
    },
    {
      name: 'metrics-is-a-sink',
      severity: 'error',
      comment: 'Every module writes to metrics; metrics reads nobody (values owned elsewhere register a callback).',
      from: { path: '^src/metrics/' },
      to: { path: SRC, pathNot: '^src/(metrics|common|config)/' },
    },
    {
      name: 'infrastructure-knows-no-feature',
      severity: 'error',
      comment: 'Adapters (database, cache, queues, rate limits) serve features and never import them or each other.',
      from: { path: '^src/(database|cache|queue|throttle)/' },
      to: { path: SRC, pathNot: ['^src/(common|config|metrics)/', '^src/$1/'] },
    },
    {
      name: 'ml-knows-no-conversation',
      severity: 'error',
      comment: 'The conversation uses the classifier, never the reverse (labels live in ml).',
      from: { path: '^src/ml/' },
      to: { path: ['^src/chat/', FEATURE_CONSUMERS] },
    },
    {
      name: 'chat-knows-no-consumer',
      severity: 'error',
      comment: 'Probes, the performance summary and the CLI read the conversation module, not the reverse.',
      from: { path: '^src/chat/' },
      to: { path: FEATURE_CONSUMERS },
    },
    {
      name: 'consumers-stay-apart',
      severity: 'error',
      comment: 'health and performance are leaves: neither imports the other, nor the CLI (which may use both).',
      from: { path: '^src/(health|performance)/' },
      to: { path: FEATURE_CONSUMERS, pathNot: '^src/$1/' },
    },
    {
      name: 'console-is-a-leaf',
      severity: 'error',
      comment:
        'The study console reads the features; only the HTTP app module loads it (no worker, no CLI, no feature).',
      from: { path: SRC, pathNot: ['^src/console/', '^src/app\\.module\\.ts$'] },
      to: { path: '^src/console/' },
    },
    {
      name: 'console-web-is-browser-code',
      severity: 'error',
      comment:
        'The console page runs in a browser: it imports only itself, the wire types the server shares (console.types.ts), ' +
        'the pure date helpers unit-tested beside them (local-days.ts) and uPlot, never server code or Node built-ins.',
      from: { path: '^src/console/web/' },
      to: {
        pathNot: [
          '^src/console/web/',
          '^src/console/console\\.types\\.ts$',
          '^src/console/local-days\\.ts$',
          '^node_modules/uplot/',
        ],
      },
    },
    {
      name: 'sql-only-in-repositories',
      severity: 'error',
      comment:
        'TypeORM and pg are for repositories (*.repository.ts), entities and the database module; services hold ' +
        'rules, not SQL.',
      from: { path: SRC, pathNot: ['\\.(repository|entity)\\.ts$', '^src/database/'] },
      to: { path: '^node_modules/(typeorm|pg)/' },
    },
    {
      name: 'http-status-only-in-the-filter',
      severity: 'error',
      comment: 'Errors carry codes; the exception filter alone maps them to HTTP status through this table.',
      from: {
        path: SRC,
        // The filter, and the answer to requests Node's parser refuses before any route or filter sees them.
        pathNot: ['^src/common/all-exceptions\\.filter\\.ts$', '^src/common/client-error\\.ts$', '\\.spec\\.ts$'],
      },
      to: { path: '^src/common/error-http\\.map\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
