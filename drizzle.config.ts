import { defineConfig } from 'drizzle-kit';

// Only `npm run db:generate` reads this: it diffs src/db/schema.ts against migrations/ and writes
// the next SQL migration. Applying migrations is `npm run migrate` (src/db/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
  strict: true,
});
