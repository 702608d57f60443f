// ESLint flat config: typescript-eslint recommended (not type-checked, to stay fast) plus the
// house rules a linter can check, the folder boundaries of docs/ARCHITECTURE.md included.
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const ourFolders = ['store', 'operations', 'protocol', 'dns', 'metrics', 'server', 'topology', 'ipam', 'deploy', 'health', 'config', 'client', 'cli'];

/**
 * Every file under src/: other folders are entered only through their index.js, and nothing
 * (src/protocol and src/server included) reaches into store/sqlite or store/postgres.
 */
const doorPatterns = [
  {
    regex: '/store/(sqlite|postgres)/',
    message: 'store/sqlite and store/postgres are reached only through openStore() from store/index.js.',
  },
  { regex: '(^|/)internal\\.js$', message: 'internal.js is for test/ only.' },
  {
    // Leaves the current folder (../), enters another one and names a file other than index.js.
    regex: '^(\\.\\./)+[^./][^/]*/(?!(index|internal)\\.js$).+',
    message: 'Import another folder only through its index.js (one door per folder).',
  },
];

/** no-restricted-imports replaces, not merges, its options per block: each block repeats doorPatterns. */
const restrictImports = (...patterns) => ['error', { patterns: [...doorPatterns, ...patterns] }];

/** An import of one of `folders` (through its door or not) from anywhere below src/. */
const into = (folders, message, options = {}) => ({ regex: `^(\\.\\./)+(${folders.join('|')})/`, message, ...options });

const except = (...kept) => ourFolders.filter((folder) => !kept.includes(folder));

/**
 * The direction of imports (docs/ARCHITECTURE.md, "Layers"): domain ← store ← topology, ipam,
 * deploy, health ← operations ← protocol ← server, with client and cli on top. Each folder lists
 * what it must never import; src/domain is open to every folder.
 */
const layers = {
  store: [into(except('store'), 'src/store sees only src/domain.')],
  ...Object.fromEntries(
    ['topology', 'ipam', 'deploy', 'health'].map((folder) => [
      folder,
      [into(except(folder, 'store'), 'topology, ipam, deploy and health see only src/domain and the Store interface.')],
    ]),
  ),
  operations: [into(['protocol', 'dns', 'metrics', 'server', 'config', 'client', 'cli'], 'src/operations never reaches the surfaces, the server, the configuration or the client.')],
  // The metrics registry only counts what the server feeds it (docs/ARCHITECTURE.md): it reaches no store, operation or rule.
  metrics: [into(except('metrics'), 'src/metrics sees only src/domain: the server feeds it what operations and the store produce.')],
  protocol: [
    into(except('protocol', 'operations', 'topology'), 'src/protocol is a thin adapter onto src/operations: no store, no server, no rules of its own.'),
    // The shapes of the operations' answers only, never a topology rule.
    into(['topology'], 'src/protocol takes no topology rule: only the types of what operations answer.', { allowTypeImports: true }),
  ],
  // DNS is a surface like a dialect (docs/ARCHITECTURE.md): it calls operations and reaches no store or rule.
  dns: [
    into(except('dns', 'operations', 'topology'), 'src/dns is an adapter onto src/operations: no store, no server, no rules of its own.'),
    into(['topology'], 'src/dns takes no topology rule: only the types of what operations answer.', { allowTypeImports: true }),
  ],
  server: [
    into(['ipam', 'client', 'cli'], 'src/server hosts operations; it holds no IP rule and never imports the client or the CLI.'),
    // The server hosts the topology scanner; placement, classification and resolution are the operations' business.
    into(['topology'], 'src/server hosts the TopologyScanner and takes no topology rule: call an operation instead.', {
      allowImportNames: ['TopologyScanner'],
      allowTypeImports: true,
    }),
  ],
  config: [into(['store', 'operations', 'protocol', 'dns', 'server', 'client', 'cli'], 'src/config parses configuration; it reaches no runtime part.')],
  client: [
    into(except('client', 'protocol', 'operations'), 'src/client sees src/domain and src/protocol (and operation types), never the server.'),
    into(['operations'], 'src/client takes only types from src/operations (call signatures come from the table).', { allowTypeImports: true }),
  ],
  cli: [
    into(except('cli', 'client', 'config', 'server'), 'src/cli uses src/client, src/config and the server door (src/server/index.ts) only.'),
    into(['server'], 'src/cli reaches the server door lazily, through cli/server-door.ts; elsewhere only its types.', { allowTypeImports: true }),
  ],
};

const baseSyntax = [
  { selector: 'TSEnumDeclaration', message: 'No enum: use an `as const` object and a derived union.' },
  { selector: 'ExportAllDeclaration', message: 'Re-export by name, never with `export *`.' },
];

export default defineConfig([
  globalIgnores(['node_modules/', 'dist/', 'bench/results/', '**/*.js', '!eslint.config.js']),
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      // `_name` marks a deliberate non-use, e.g. dropping a field: `const { ttl: _ttl, ...rest } = s`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Files keep within 300 lines; eslint takes one limit, so 500 fails and 300 is for review.
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
      'no-restricted-syntax': ['error', ...baseSyntax],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['warn', { max: 60, skipBlankLines: true, skipComments: true }],
      'no-restricted-imports': restrictImports(),
      // A dynamic import() would slip past no-restricted-imports: only the CLI's server door loads lazily.
      'no-restricted-syntax': [
        'error',
        ...baseSyntax,
        { selector: 'ImportExpression[source.value=/^\\.\\./]', message: 'No dynamic import() of another folder (the CLI reaches the server through cli/server-door.ts).' },
      ],
    },
  },
  {
    files: ['src/cli/server-door.ts'],
    rules: { 'no-restricted-syntax': ['error', ...baseSyntax] },
  },
  {
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports(
        {
          regex: '^\\./[^/]+/(?!index\\.js$).+',
          message: 'The public API imports each folder only through its index.js.',
        },
        {
          regex: `^\\./(${except('client').join('|')})/`,
          message: 'The library entry is the client: the server has its own entry, service-registry/server.',
        },
      ),
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports(
        { regex: '^node:', message: 'src/domain does no I/O and imports no node: module.' },
        {
          regex: `^(\\.\\./)+(${ourFolders.join('|')}|index\\.js)(/|$)`,
          message: 'src/domain imports nothing of ours outside src/domain.',
        },
      ),
    },
  },
  ...Object.entries(layers).map(([folder, patterns]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictImports(...patterns) },
  })),
  {
    files: ['src/cli/server-door.ts'],
    rules: { 'no-restricted-imports': restrictImports(into(except('cli', 'client', 'config', 'server'), 'The CLI reaches the server through its door only.')) },
  },
  {
    // The dashboard (ui/src) runs in a browser: it bundles only pure src/domain modules, takes the
    // client's and the operation table's types, and never turns a string into HTML or code.
    files: ['ui/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\.\\.?/)', message: 'The dashboard bundles no package: plain DOM and src/domain only.' },
            { regex: '^(\\.\\./)+src/(?!domain/)', message: 'The dashboard runs in the browser: from src/ it bundles src/domain only (types of the client and operations are fine).', allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        ...['innerHTML', 'outerHTML'].map((property) => ({ property, message: 'Build DOM with text nodes (ui/src/dom.ts): server strings are hostile.' })),
        { property: 'insertAdjacentHTML', message: 'Build DOM with text nodes (ui/src/dom.ts): server strings are hostile.' },
        { object: 'document', property: 'write', message: 'Build DOM with text nodes (ui/src/dom.ts).' },
      ],
      'no-restricted-globals': ['error', { name: 'eval', message: 'No code from strings.' }],
      'no-new-func': 'error',
      'no-implied-eval': 'error',
    },
  },
]);
