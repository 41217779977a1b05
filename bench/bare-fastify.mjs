// The bench's yardstick: the smallest Fastify server there is (one JSON route, no plugins, no
// logger), started by `npm run bench` on the same core as Latchkey, so ratios compare like with like.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const url = await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.stdout.write(`listening ${url}\n`);
