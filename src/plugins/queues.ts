import fp from 'fastify-plugin';
import { Queues } from '../queue/queues.js';

declare module 'fastify' {
  interface FastifyInstance {
    queues: Queues;
  }
}

export default fp<{ prefix: string }>(
  async (app, { prefix }) => {
    const queues = new Queues(app.redis, prefix);
    app.decorate('queues', queues);
    // Registered after redis, so (onClose running in reverse order) queues close before their connection.
    app.addHook('onClose', () => queues.close());
  },
  { name: 'queues', dependencies: ['redis'] },
);
