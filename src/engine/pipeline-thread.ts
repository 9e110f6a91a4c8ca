/**
 * A pipeline thread: compiles the enabled channels of `channelsDir` at start, with the built-in registry, and runs
 * parse → map → validate → route for the engine's main thread (see pipeline-threads.ts). CPU-heavy steps (FR Core
 * validation, XSD, Schematron) run here instead of blocking the main thread's sockets, queues and timers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadChannels } from './channel-loader.js';
import { checkInput, compileChannel, type CompiledChannel } from './pipeline.js';
import { registry } from './registry.js';
import { runOne } from './pipeline-runner.js';
import { toWire, fromWire, type ThreadReply, type ThreadRequest } from './pipeline-wire.js';

const { channelsDir } = workerData as { channelsDir: string };
const loaded = loadChannels(channelsDir, registry);
const compiled = new Map<string, Promise<CompiledChannel>>();

function channel(id: string): Promise<CompiledChannel> {
  let c = compiled.get(id);
  if (!c) {
    const l = loaded.channels.find((x) => x.config.id === id);
    if (!l) return Promise.reject(new Error(`channel ${id} is not in ${channelsDir}`));
    compiled.set(id, (c = compileChannel(l, registry)));
  }
  return c;
}

async function answer(req: ThreadRequest): Promise<ThreadReply> {
  try {
    const ch = await channel(req.channelId);
    if (req.kind === 'check') return { id: req.id, issues: await checkInput(ch, fromWire(req.raw), req.ctx) };
    const results = [];
    for (const it of req.items) results.push(await runOne(ch, fromWire(it.raw), it.ctx));
    return { id: req.id, results };
  } catch (e) {
    return { id: req.id, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

parentPort!.on('message', (req: ThreadRequest) => {
  void answer(req).then((reply) => {
    const transfer: ArrayBuffer[] = [];
    if ('results' in reply) {
      for (const r of reply.results) {
        if ('threw' in r) continue;
        for (const s of r.snapshots) {
          const w = toWire(s.content);
          transfer.push(w.buffer as ArrayBuffer);
          s.content = w as Buffer;
        }
      }
    }
    parentPort!.postMessage(reply, transfer);
  });
});
// compile every enabled channel before saying ready: profiles and schemas load now, not with the first message
await Promise.all(loaded.channels.filter((c) => c.config.enabled).map((c) => channel(c.config.id)));
parentPort!.postMessage({ id: 0, ready: true } satisfies ThreadReply);
