import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';

/** Prometheus metrics of one engine. Watches from the side: nothing in the data path waits on it. */
export class Metrics {
  readonly registry = new Registry();
  readonly received = new Counter({ name: 'relais_messages_received_total', help: 'Messages stored by sources', labelNames: ['channel', 'outcome'], registers: [this.registry] });
  readonly processed = new Counter({ name: 'relais_messages_processed_total', help: 'Messages processed, by resulting status', labelNames: ['channel', 'status'], registers: [this.registry] });
  readonly deliveries = new Counter({ name: 'relais_deliveries_total', help: 'Delivery attempts by outcome (sent, retry, held, blocked)', labelNames: ['channel', 'destination', 'outcome'], registers: [this.registry] });
  readonly stageSeconds = new Histogram({
    name: 'relais_stage_seconds',
    help: 'Latency of each pipeline stage',
    labelNames: ['channel', 'stage'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly endToEndSeconds = new Histogram({
    name: 'relais_end_to_end_seconds',
    help: 'From receipt to successful delivery',
    labelNames: ['channel', 'destination'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  constructor(queues: () => Queue[]) {
    const depth = new Gauge({ name: 'relais_queue_depth', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [this.registry] });
    const oldest = new Gauge({ name: 'relais_queue_oldest_waiting_seconds', help: 'Age of the oldest waiting job', labelNames: ['queue'], registers: [this.registry] });
    const collect = async () => {
      depth.reset();
      oldest.reset();
      for (const q of queues()) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) depth.set({ queue: q.name, state }, n);
        const [first] = await q.getJobs(['waiting', 'prioritized'], 0, 0, true);
        oldest.set({ queue: q.name }, first ? (Date.now() - first.timestamp) / 1000 : 0);
      }
    };
    this.collect = collect;
  }

  /** Refreshes the queue gauges; call before rendering. */
  readonly collect: () => Promise<void>;

  async render(): Promise<string> {
    await this.collect();
    return this.registry.metrics();
  }
}
