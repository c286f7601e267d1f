// @ts-check
// `npm run lint` (part of `npm test`). Type-aware: typescript-eslint's recommended type-checked rules,
// with the few that only restate what tsc already checks (noUnused*) or that fight deliberate patterns
// (async methods that implement a Promise interface without awaiting) turned off.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const TOP_LEVEL_FOLDERS = 'core|fargate-gateway|lambdas|lib|local|test|bench|bin|scripts';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters report these (with the `_name` convention).
      '@typescript-eslint/no-unused-vars': 'off',
      // An async method may implement a Promise-returning interface without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      // `catch (error: unknown)` narrowed by a truthiness check is rethrown as-is, on purpose.
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // Error shapes from the wire and the SDK are unknown; String() of them is the intent.
      '@typescript-eslint/no-base-to-string': 'off',
      // Stylistic; with noUncheckedIndexedAccess off, a `!` after an index is harmless documentation.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./){2,}',
              message: 'Use an import alias (#core/…, #gateway/…, package.json "imports") instead of climbing paths.',
            },
            {
              regex: `^\\.\\./(${TOP_LEVEL_FOLDERS})/`,
              message: 'Use an import alias (#core/…, #gateway/…, package.json "imports") to reach another top-level folder.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract module is the one place contract values are written; the stack, the runtimes and the
    // docs import it, so it imports nothing (no AWS, no zod, no other folder): only its own files.
    files: ['core/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./)', message: 'core/contract/ is dependency-free: import only its own files (./…).' }] },
      ],
    },
  },
  {
    // Layering: the domain and the stores sit below the API; they never import it (or a runtime).
    files: ['core/domain/**/*.ts', 'core/stores/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./api/|#core/api/)', message: 'The domain and the stores do not import the API layer.' },
            { regex: '^#(gateway|lambdas|local|lib)/', message: 'The domain and the stores do not import a runtime.' },
            { regex: '^(\\.\\./){2,}', message: 'Use an import alias (#core/…) instead of climbing paths.' },
          ],
        },
      ],
    },
  },
  {
    // `any` by nature: the embedded engine's native bindings (koffi), a stand-in without usable types,
    // and structured-headers, whose BareItem names the DOM type BufferSource that a Node-only lib lacks.
    files: ['fargate-gateway/recognition/embedded/**/*.ts', 'local/aws-standins.ts', 'fargate-gateway/audiohook/signature.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Tests read untyped JSON from the wire and poke at internals.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Preact components hand methods to props as callbacks.
    files: ['console/**/*.tsx'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
);
