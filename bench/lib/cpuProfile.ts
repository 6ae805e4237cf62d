/**
 * Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`): its samples in a window
 * of time, grouped by the package (or the part of Node) whose code was running, so a table can
 * show what one request costs and who spends it.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds of CPU by group, and the total that was not idle. */
export interface ProfileShares {
  busyMicros: number;
  groups: Map<string, number>;
}

/** Node's own modules that a request passes through, named for what they do. */
const NODE_PARTS: [RegExp, string][] = [
  [/^node:(_http_|http)/, 'Node HTTP server and client'],
  [
    /^node:(net|internal\/stream_base_commons|internal\/streams|stream)/,
    'Node sockets and streams',
  ],
  [
    /^node:(internal\/)?(timers|abort_controller|event_target|events)/,
    'Node timers, events, abort signals',
  ],
];

/**
 * The group a frame's own time counts to: a package under node_modules, the repository's own
 * code by workspace, a part of Node, or what V8 calls it (garbage collector, program, idle).
 * Native functions called from JavaScript (`writev`, `write`) are the system calls that send on
 * a socket, named as such.
 */
function groupOf(frame: ProfileNode['callFrame'], repoRoot: string): string {
  const { url, functionName } = frame;
  if (!url) {
    if (
      functionName === 'writev' ||
      functionName === 'writeUtf8String' ||
      functionName === 'writeBuffer'
    )
      return 'socket writes (system calls)';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return 'V8 and native code outside JavaScript';
    return 'other native code';
  }
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1] as string;
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  if (path.startsWith(repoRoot)) {
    const [top, second] = path.slice(repoRoot.length).replace(/^\//, '').split('/');
    return `ours: ${top === 'packages' || top === 'subgraphs' ? `${top}/${second}` : top}`;
  }
  for (const [pattern, name] of NODE_PARTS) if (pattern.test(url)) return name;
  return url.startsWith('node:') ? 'Node, other' : 'other';
}

/**
 * Sums the profile's samples taken between `fromMicros` and `toMicros` (the monotonic clock, in
 * microseconds: `process.hrtime.bigint() / 1000n` in any process on the machine reads the same
 * clock as V8's profile timestamps) by group of the frame that was running.
 */
export function profileShares(
  file: string,
  fromMicros: number,
  toMicros: number,
  repoRoot: string,
): ProfileShares {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const groupById = new Map(
    profile.nodes.map((node) => [node.id, groupOf(node.callFrame, repoRoot)]),
  );
  const groups = new Map<string, number>();
  let at = profile.startTime;
  let busyMicros = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromMicros || at > toMicros) continue;
    const group = groupById.get(profile.samples[i] as number) ?? 'other';
    if (group === '(idle)') continue;
    busyMicros += delta;
    groups.set(group, (groups.get(group) ?? 0) + delta);
  }
  return { busyMicros, groups };
}
