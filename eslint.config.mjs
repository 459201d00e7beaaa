// A few rules, each guarding something a test cannot see until it is too late: workflow code that would
// not replay (Node built-ins, I/O modules pulled into the sandbox), promises nobody awaits (a mail or audit
// write that fails silently, or a handler that returns before its work is done), and state changes that
// bypass the transition table. Type-aware rules read tsconfig.json through the project service.
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_')).map((name) => name.replace(/[/]/g, '\\/'));
const nodeBuiltin = `node:.*|(${nodeBuiltins.join('|')})(\\/.*)?`;

export default defineConfig(
  globalIgnores(['node_modules/', '.tools/', 'data/', 'coverage/', 'api/generated/', 'prisma/generated/']),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `void promise` is the explicit way to say "fire and forget".
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox and is replayed from history.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(${nodeBuiltin})$`,
              message: 'Node built-ins are not deterministic and are not in the workflow sandbox; do this in an activity.',
            },
            {
              regex: `^(?!(@temporalio\\/workflow|\\.\\/.*|\\.\\.\\/domain\\/.*|${nodeBuiltin})$)`,
              allowTypeImports: true,
              message:
                'Workflows import at run time only @temporalio/workflow, ../domain/* and other workflows/ modules; use `import type` for anything else (activities are reached through proxyActivities).',
            },
          ],
        },
      ],
    },
  },
  {
    // The transition table is the one place state changes are checked; only the kernel moves the state.
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/record-process.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          "AssignmentExpression[left.type='MemberExpression'][left.computed=false][left.property.name='state']",
          "AssignmentExpression[left.type='MemberExpression'][left.property.value='state']",
          "AssignmentExpression[left.type='Identifier'][left.name='state']",
        ].map((selector) => ({
          selector,
          message: 'Change a record\'s state through process.transition(command) so the transition table checks it.',
        })),
      ],
    },
  },
);
