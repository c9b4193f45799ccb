// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Named imports that encode a boundary dependency-cruiser cannot see (it checks modules, not names). */
const RAW_DATABASE = {
  name: 'typeorm',
  importNames: ['DataSource', 'EntityManager', 'QueryRunner'],
  message: 'SQL lives in *.repository.ts: inject a repository instead.',
};
const HTTP_STATUS = {
  name: '@nestjs/common',
  importNames: ['HttpStatus', 'HttpException'],
  message: 'Throw AppError with a code; the exception filter maps codes to HTTP status (common/error-http.map.ts).',
};
const restrictImports = (...paths) => ({ 'no-restricted-imports': ['error', { paths }] });

/**
 * Lint rules that encode policy: no floating promises, exhaustive switches, no console, env only in config/,
 * SQL only in repositories, HTTP status only in controllers and the exception filter. Module dependency
 * direction is checked by dependency-cruiser (.dependency-cruiser.cjs), also part of `npm run lint`.
 */
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/.cache/**', 'eslint.config.mjs', 'jest.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig (src/config/) only.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: restrictImports(RAW_DATABASE, HTTP_STATUS),
  },
  {
    files: ['src/**/*.repository.ts', 'src/database/**/*.ts'],
    rules: restrictImports(HTTP_STATUS),
  },
  {
    files: ['src/**/*.controller.ts', 'src/common/all-exceptions.filter.ts'],
    rules: restrictImports(RAW_DATABASE),
  },
  {
    files: [
      'src/config/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'tools/**/*.ts',
      'scripts/**/*.ts',
      'src/database/embedded-postgres.server.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['migrations/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
);
