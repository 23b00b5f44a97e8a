/**
 * The floor the sign-up route is compared with: a bare Fastify route doing the same single insert
 * and nothing else, in its own process like the API, with the same pool size.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
const app = Fastify();
app.post('/signatures', async (request) => {
  const body = request.body as { name: string; email: string };
  await pool.query('INSERT INTO contacts (email, name) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING', [body.email, body.name]);
  return { status: 'ok' };
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.once('SIGTERM', () => void app.close().then(() => pool.end()));
