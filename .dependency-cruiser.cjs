/**
 * The direction of dependencies between the top-level folders (README, "Architecture"),
 * checked by scripts/test.sh before the tests: `npx depcruise --config .dependency-cruiser.cjs .`
 * A violation names its rule and fails the build.
 */
const ADAPTERS = '^(api|web|cli|activities|temporal|workflows)/';
const TEMPORAL_SDK = '^node_modules/@temporalio/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle between modules: one of them belongs below the other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file (a typo, or a module moved without its importers).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain/ is the bottom: its own files, the errors base and zod, no other folder of the project, no Node built-in.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', '^errors/', '^node_modules/zod/'] },
    },
    {
      name: 'errors-is-the-base',
      comment: 'errors/ (the coded error base every module extends, docs/errors.md) imports nothing: not another folder, not a package, not a Node built-in.',
      severity: 'error',
      from: { path: '^errors/' },
      to: { pathNot: ['^errors/'] },
    },
    {
      name: 'asn1-stands-alone',
      comment: 'asn1/ imports no other folder of the project but the errors base.',
      severity: 'error',
      from: { path: '^asn1/' },
      to: { path: '^[^/]+/', pathNot: ['^asn1/', '^errors/', '^node_modules/'] },
    },
    {
      name: 'pdf-stands-alone',
      comment: 'pdf/ imports no other folder of the project but the errors base.',
      severity: 'error',
      from: { path: '^pdf/' },
      to: { path: '^[^/]+/', pathNot: ['^pdf/', '^errors/', '^node_modules/'] },
    },
    {
      name: 'modules-not-to-adapters',
      comment: 'The modules (certs, signature, documents, vault, ceremony) never import the API, the pages, the CLI, the workflows, activities or Temporal.',
      severity: 'error',
      from: { path: '^(certs|signature|documents|vault|ceremony)/' },
      to: { path: [ADAPTERS, TEMPORAL_SDK] },
    },
    {
      name: 'certs-through-its-store',
      comment: 'certs/ reaches the database only through its PkiStore port (certs/stores.ts), implemented in db/.',
      severity: 'error',
      from: { path: '^certs/' },
      to: { path: '^db/' },
    },
    {
      name: 'stores-not-to-adapters',
      comment: 'db/ and guarantor/ import no adapter (API, pages, CLI, activities, workflows, Temporal).',
      severity: 'error',
      from: { path: '^(db|guarantor)/' },
      to: { path: [ADAPTERS, TEMPORAL_SDK] },
    },
    {
      name: 'workflows-deterministic',
      comment: 'workflows/ import only @temporalio/workflow, domain/ and activity types: no I/O, no Node built-in.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { pathNot: ['^workflows/', '^domain/', '^activities/', '^node_modules/@temporalio/workflow/'] },
    },
    {
      name: 'workflows-activity-types-only',
      comment: 'workflows/ see activities/ through `import type` only: the activities run in the worker, not in the workflow sandbox.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|data|tools|tmp|coverage|dist)/' },
    // `import type` is a dependency too (workflows/ may only have those on activities/).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    cache: false,
  },
};
