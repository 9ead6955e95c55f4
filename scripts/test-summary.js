// Adds up jest's --json results and prints the closing line CI reads.
const fs = require('node:fs');

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = 0;
// Arguments: jest --json result files, and `--tap FILE` for bats output in TAP.
const args = process.argv.slice(2);
const tapFiles = [];
const jestFiles = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tap') tapFiles.push(args[++i]);
  else jestFiles.push(args[i]);
}
for (const file of tapFiles) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    console.error(`test-summary: no TAP output in ${file}`);
    broken += 1;
    continue;
  }
  const plan = /^1\.\.(\d+)$/m.exec(text);
  let seen = 0;
  for (const line of text.split('\n')) {
    if (/^ok \d+/.test(line)) {
      seen += 1;
      if (/# skip/i.test(line)) skipped += 1;
      else passed += 1;
    } else if (/^not ok \d+/.test(line)) {
      seen += 1;
      failed += 1;
    }
  }
  // A run that stopped early (bats crashed) is a failure even if every test it ran passed.
  if (!plan || Number(plan[1]) !== seen) {
    console.error(`test-summary: ${file} planned ${plan ? plan[1] : '?'} tests, reported ${seen}`);
    broken += 1;
  }
}
for (const file of jestFiles) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    console.error(`test-summary: no results in ${file} (jest crashed?)`);
    broken += 1;
    continue;
  }
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  broken += r.numRuntimeErrorTestSuites;
}
failed += broken;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
