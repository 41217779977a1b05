// The bench's load generator, run by `npm run bench` pinned to a core of its own. Input (argv[2]):
// a JSON array of steps, run one after the other; a step is an array of autocannon loads run at
// the same time. A load's `bodies` (optional) are sent in turn, one per request (e.g. sign-ins of
// different accounts). Prints one JSON line: per step, per load, the figures bench/run.ts uses.
import autocannon from 'autocannon';

const steps = JSON.parse(process.argv[2]);

function run(load) {
  const { bodies, ...options } = load;
  let next = 0;
  const requests = bodies
    ? [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }]
    : undefined;
  return new Promise((resolve, reject) => {
    autocannon({ ...options, ...(requests ? { requests } : {}) }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

const output = [];
for (const step of steps) {
  const results = await Promise.all(step.map(run));
  output.push(
    results.map((r) => ({
      requestsPerSecond: r.requests.average,
      total: r.requests.total,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
    })),
  );
}
process.stdout.write(JSON.stringify(output) + '\n');
