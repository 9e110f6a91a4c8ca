/**
 * Runs lanes with at most `limit` of them at a time; each lane's items go one after the other, in order. A lane is
 * what must stay in order (one ordering key); different lanes may interleave.
 */
export async function runLanes<T>(lanes: T[][], limit: number, run: (lane: T[]) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < lanes.length) await run(lanes[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, lanes.length) }, worker));
}

/** Groups items into lanes by key (an undefined key: a lane of its own), keeping their order. */
export function lanesBy<T>(items: T[], keyOf: (item: T) => string | undefined): T[][] {
  const lanes: T[][] = [];
  const byKey = new Map<string, T[]>();
  for (const it of items) {
    const key = keyOf(it);
    const lane = key === undefined ? undefined : byKey.get(key);
    if (lane) lane.push(it);
    else {
      lanes.push([it]);
      if (key !== undefined) byKey.set(key, lanes.at(-1)!);
    }
  }
  return lanes;
}
