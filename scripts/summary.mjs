// Prints the final "N passed, N failed" line from vitest's JSON report and `relais test` output.
import fs from 'node:fs';

const [vitestJson, channelTxt] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (fs.existsSync(vitestJson)) {
  const r = JSON.parse(fs.readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} else {
  failed += 1; // vitest did not report at all
}
if (channelTxt && fs.existsSync(channelTxt)) {
  const m = /^(\d+) passed, (\d+) failed$/m.exec(fs.readFileSync(channelTxt, 'utf8'));
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  } else failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
