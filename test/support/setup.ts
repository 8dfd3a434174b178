// Runs before each test file of the edge project: the D1 schema, as `wrangler d1 migrations apply`
// would create it. Applying is idempotent (applied migrations are recorded in d1_migrations).
import { applyD1Migrations } from 'cloudflare:test';
import { testEnv } from './test-env';

await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
