/**
 * Prometheus metrics (`GET /metrics`, text exposition format 0.0.4).
 *
 * Counted in plain maps, written out by hand: the counting sits on the busiest paths (every
 * request, every authentication) and must cost next to nothing, and prom-client took 200–300 ms to
 * import here (measured), a third of the start-up budget. prom-client is loaded on the first scrape
 * only, for the process metrics it knows how to read (CPU, memory, heap, event loop, GC).
 *
 * The counters are the process's (one Latchkey per process in production); a test that builds
 * several apps in one process reads differences, never absolute values.
 */
import { once } from './once.js';

type Labels = Record<string, string>;

/** Label values as Prometheus wants them: backslash, double quote and newline escaped. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra) pairs.push(extra);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

/** A family of counters told apart by their label values (few and fixed: never an ID or an address). */
class CounterFamily {
  readonly #values = new Map<string, { labels: string[]; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    this.#series(labels).value += by;
  }

  /**
   * One series of the family, for a busy path that always counts the same labels: its key is made
   * once, not on every count. The series appears in the output on its first count, as with inc().
   */
  series(labels: Labels): { inc(by?: number): void } {
    let series: { value: number } | undefined;
    return {
      inc: (by = 1) => {
        series ??= this.#series(labels);
        series.value += by;
      },
    };
  }

  #series(labels: Labels): { labels: string[]; value: number } {
    const values = this.labelNames.map((name) => labels[name] ?? '');
    const key = values.join('\u0000');
    let entry = this.#values.get(key);
    if (!entry) {
      entry = { labels: values, value: 0 };
      this.#values.set(key, entry);
    }
    return entry;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.#values.values())
      lines.push(`${this.name}${labelText(this.labelNames, labels)} ${value}`);
    return lines.join('\n');
  }
}

/** Request durations in seconds: Prometheus's usual buckets from 5 ms to 10 s. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class HistogramFamily {
  readonly #values = new Map<string, { labels: string[]; buckets: number[]; count: number; sum: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly bounds: readonly number[] = DURATION_BUCKETS,
  ) {}

  /** One series of the family: kept by a busy caller, so its key is made once, not per observation. */
  series(labels: Labels): { observe(value: number): void } {
    const values = this.labelNames.map((name) => labels[name] ?? '');
    const key = values.join('\u0000');
    let entry = this.#values.get(key);
    if (!entry) {
      entry = { labels: values, buckets: this.bounds.map(() => 0), count: 0, sum: 0 };
      this.#values.set(key, entry);
    }
    const series = entry;
    return {
      observe: (value) => {
        // Each bucket counts what is at or below its bound (cumulative, as the format says).
        for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) series.buckets[i]!++;
        series.count++;
        series.sum += value;
      },
    };
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, buckets, count, sum } of this.#values.values()) {
      this.bounds.forEach((bound, i) =>
        lines.push(`${this.name}_bucket${labelText(this.labelNames, labels, `le="${bound}"`)} ${buckets[i]}`),
      );
      lines.push(`${this.name}_bucket${labelText(this.labelNames, labels, 'le="+Inf"')} ${count}`);
      lines.push(`${this.name}_sum${labelText(this.labelNames, labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(this.labelNames, labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

/** Answered requests by route pattern (never the raw URL: IDs would make a series each), method and status. */
export const httpRequestDuration = new HistogramFamily(
  'latchkey_http_request_duration_seconds',
  'Time to answer a request, by route pattern, method and status code.',
  ['route', 'method', 'status'],
);

/** Sign-in attempts by how (password, mfa, passkey, sso) and how they ended (success, failure, locked, …). */
export const signIns = new CounterFamily(
  'latchkey_sign_ins_total',
  'Sign-in attempts by method and result (the login history, counted).',
  ['method', 'result'],
);

/** Accounts locked after too many failed attempts. */
export const lockouts = new CounterFamily('latchkey_lockouts_total', 'Accounts locked after failed sign-ins.', []);

/** Second-factor steps asked of people signing in. */
export const mfaChallenges = new CounterFamily(
  'latchkey_mfa_challenges_total',
  'Sign-ins that were asked for a second factor.',
  [],
);

/** Single sign-on attempts by identity provider (its name: few, chosen by Administrators) and result. */
export const ssoSignIns = new CounterFamily(
  'latchkey_sso_sign_ins_total',
  'Single sign-on attempts by identity provider and result.',
  ['provider', 'result'],
);

/** Requests authenticated by API token, and refused tokens. */
export const tokenAuthentications = new CounterFamily(
  'latchkey_token_authentications_total',
  'API token authentications by result.',
  ['result'],
);

/** The credential cache in front of the database (auth/authenticate.ts). */
export const credentialCacheLookups = new CounterFamily(
  'latchkey_credential_cache_lookups_total',
  'Credential cache lookups: hit (answered from memory) or miss (read from the database).',
  ['result'],
);

const FAMILIES = [
  httpRequestDuration,
  signIns,
  lockouts,
  mfaChallenges,
  ssoSignIns,
  tokenAuthentications,
  credentialCacheLookups,
];

/** prom-client's process metrics, registered once, on the first scrape. */
const processMetrics = once(async () => {
  const { Registry, collectDefaultMetrics } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'latchkey_' });
  return registry;
});

/** A gauge read at scrape time (e.g. the database pool's connections). */
export interface GaugeReading {
  name: string;
  help: string;
  samples: { labels: Labels; value: number }[];
}

function renderGauge({ name, help, samples }: GaugeReading): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const { labels, value } of samples)
    lines.push(`${name}${labelText(Object.keys(labels), Object.values(labels))} ${value}`);
  return lines.join('\n');
}

/** Every metric in the text exposition format. */
export async function renderMetrics(gauges: GaugeReading[]): Promise<string> {
  const own = [...FAMILIES.map((family) => family.render()), ...gauges.map(renderGauge)].join('\n');
  const process = await (await processMetrics()).metrics();
  return `${own}\n${process.trimEnd()}\n`;
}

/** The media type of the format written here. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
