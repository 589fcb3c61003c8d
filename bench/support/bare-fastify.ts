/** The ingress baseline: a bare fastify route that answers 202 to every POST, reading the body as bytes. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/:namespace/:broker', async (_request, reply) => {
  reply.code(202);
  return '';
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`Switchyard is ready on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
