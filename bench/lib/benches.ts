/** The benchmarks `npm run bench` knows, in the order they run and appear in docs/BENCHMARKS.md. */
export const benchmarks = [
  { name: 'kernels', title: '1. Math kernels', script: 'kernels/main.ts' },
  { name: 'router', title: '2. Router overhead', script: 'router/main.ts' },
  { name: 'subscriptions', title: '3. Subscription fan-out', script: 'subscriptions/main.ts' },
  { name: 'logging', title: '4. Logging cost', script: 'logging/main.ts' },
  { name: 'eventloop', title: '5. Event loop under heavy work', script: 'eventloop/main.ts' },
  { name: 'roots', title: '7. Irrational roots', script: 'roots/main.ts' },
  { name: 'inflight', title: '8. Identical requests in flight', script: 'inflight/main.ts' },
  {
    name: 'passwords',
    title: '9. Password hashing off the event loop',
    script: 'passwords/main.ts',
  },
] as const;

export type BenchmarkName = (typeof benchmarks)[number]['name'];
