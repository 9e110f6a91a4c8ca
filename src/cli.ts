import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { formatIssue, hasErrors } from './engine/issues.js';
import { loadChannels } from './engine/channel-loader.js';
import { compileChannel } from './engine/pipeline.js';
import { registry } from './engine/registry.js';
import { engineConfigFromEnv } from './runtime/config.js';
import { Engine } from './runtime/engine.js';
import { runOffline } from './cli/offline.js';
import { runChannelTests } from './cli/channel-tests.js';
import { openAdmin } from './cli/admin.js';
import { channelJsonSchema } from './engine/write-json-schema.js';
import type { MessageStatus } from './store/message-store.js';

const program = new Command('relais').description('Relais: healthcare integration engine (channels as files, FHIR inside)');
const channelsOpt = () => new Option('-c, --channels <dir>', 'channels folder').env('RELAIS_CHANNELS_DIR').default('channels');

function load(dir: string) {
  const r = loadChannels(path.resolve(dir), registry);
  for (const i of r.issues) console.error(formatIssue(i));
  return r;
}

program
  .command('start')
  .description('run sources and workers for all channels')
  .addOption(channelsOpt())
  .action(async (o: { channels: string }) => {
    const engine = await Engine.start(engineConfigFromEnv(process.env, { channelsDir: o.channels }));
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      engine.logger.info({ signal }, 'shutting down');
      void engine.stop().then(() => process.exit(0), (e: Error) => (console.error(e), process.exit(1)));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

program
  .command('lint')
  .description('validate every channel file; exit 1 with file:line messages on error')
  .addOption(channelsOpt())
  .action((o: { channels: string }) => {
    const r = load(o.channels);
    if (hasErrors(r.issues)) process.exit(1);
    console.log(`${r.channels.length} channel file(s) OK`);
  });

program
  .command('test')
  .description("run each channel's fixture tests (<id>.test.yaml) offline")
  .addOption(channelsOpt())
  .option('--update', 'write the actual outputs as the expected files')
  .action(async (o: { channels: string; update?: boolean }) => {
    const r = load(o.channels);
    if (hasErrors(r.issues)) process.exit(1);
    let failed = 0;
    let passed = 0;
    for (const ch of r.channels) {
      const results = await runChannelTests(ch, registry, { update: o.update });
      if (!results) {
        console.log(`- ${ch.config.id}: no ${path.basename(ch.file).replace(/\.ya?ml$/, '.test.yaml')}`);
        continue;
      }
      for (const res of results) {
        if (res.failures.length) {
          failed++;
          console.log(`✗ ${res.channel} › ${res.name}`);
          for (const f of res.failures) console.log(`    ${f}`);
        } else {
          passed++;
          console.log(`✓ ${res.channel} › ${res.name}`);
        }
      }
    }
    console.log(`${passed} passed, ${failed} failed`);
    if (failed) process.exit(1);
  });

program
  .command('run-once')
  .description('run one input through parse → map → validate → route offline; write each destination output into --out')
  .argument('<channel-id>')
  .argument('<input-file>')
  .requiredOption('-o, --out <dir>', 'output folder')
  .addOption(channelsOpt())
  .action(async (id: string, input: string, o: { out: string; channels: string }) => {
    const r = load(o.channels);
    const ch = r.channels.find((c) => c.config.id === id);
    if (!ch) {
      console.error(`no channel "${id}" in ${o.channels}`);
      process.exit(1);
    }
    const run = await runOffline(await compileChannel(ch, registry, { offline: true }), fs.readFileSync(input), path.basename(input));
    for (const i of run.issues) console.log(formatIssue(i));
    let rejected = run.status === 'rejected';
    fs.mkdirSync(o.out, { recursive: true });
    for (const [n, part] of run.parts.entries()) {
      const label = run.parts.length > 1 ? `part ${n + 1} (${part.ref})` : part.ref;
      console.log(`${label}: ${part.result.status}`);
      for (const i of part.result.issues) console.log(`  ${formatIssue(i)}`);
      if (part.result.status === 'rejected' || part.result.status === 'held') rejected = true;
      for (const out of part.result.outputs) {
        const ext = out.encoded.contentType.includes('json') ? 'json' : out.encoded.contentType.includes('xml') ? 'xml' : 'out';
        const file = path.join(o.out, run.parts.length > 1 ? `${out.destinationId}.${n + 1}.${ext}` : `${out.destinationId}.${ext}`);
        fs.writeFileSync(file, out.encoded.content);
        console.log(`  → ${file}`);
      }
    }
    if (rejected) process.exit(1);
  });

program
  .command('messages')
  .description('search the message store')
  .option('--channel <id>')
  .option('--status <status>', 'received | split | rejected | filtered | routed | delivered | held | error')
  .option('--key <key>', 'business key (patient identifier system|value, document id…), optionally kind:value')
  .option('--since <time>', 'ISO time')
  .option('--until <time>', 'ISO time')
  .option('--limit <n>', 'max rows', '50')
  .option('--json', 'JSON output')
  .action(async (o: { channel?: string; status?: string; key?: string; since?: string; until?: string; limit: string; json?: boolean }) => {
    const admin = await openAdmin(engineConfigFromEnv());
    try {
      const rows = await admin.find({ channelId: o.channel, status: o.status as MessageStatus | undefined, key: o.key, since: o.since ? new Date(o.since) : undefined, until: o.until ? new Date(o.until) : undefined, limit: Number(o.limit) });
      if (o.json) console.log(JSON.stringify(rows, null, 2));
      else for (const m of rows) console.log(`${m.id}  ${new Date(m.received_at).toISOString()}  ${m.channel_id.padEnd(20)} ${m.status.padEnd(9)} ${m.source_ref ?? ''}${m.issues.length ? `  [${m.issues.map((i) => i.code).join(', ')}]` : ''}`);
    } finally {
      await admin.close();
    }
  });

program
  .command('message')
  .description('show one message: status, issues, deliveries, history, snapshots')
  .argument('<message-id>')
  .action(async (id: string) => {
    const admin = await openAdmin(engineConfigFromEnv());
    try {
      console.log(JSON.stringify(await admin.detail(id), null, 2));
    } finally {
      await admin.close();
    }
  });

program
  .command('replay')
  .description('process a message again from its raw snapshot, or resend it to one destination')
  .argument('<message-id>')
  .option('-d, --destination <id>', 'resend the stored output to this destination only')
  .action(async (id: string, o: { destination?: string }) => {
    const admin = await openAdmin(engineConfigFromEnv());
    try {
      console.log(await admin.replay(id, o.destination));
    } finally {
      await admin.close();
    }
  });

program
  .command('schema')
  .description('write the channel JSON Schema for editors')
  .option('-o, --out <file>', 'output file', 'schemas/channel.schema.json')
  .action((o: { out: string }) => {
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, channelJsonSchema());
    console.log(`wrote ${o.out}`);
  });

program.parseAsync().catch((e: Error) => {
  console.error(`relais: ${e.message}`);
  process.exit(1);
});
