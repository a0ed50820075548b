#!/usr/bin/env node
// Compares builds of the runtime on this noisy, shared machine: runs one benchmark program under each checkout's
// command line (`dist/cli.js run`), in turns, untraced and traced, and prints the median and least wall and CPU time
// of each (as the program measures them, see bench/programs/measure.ts). Only runs interleaved like this tell builds
// apart here: the same build measured minutes apart differs by a third.
//
//   node bench/compare.js [--rounds N] [--program bench/programs/w2.ts] CHECKOUT... (each built: npm run build)
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function main() {
  const args = process.argv.slice(2);
  let rounds = 10;
  let program = path.join(__dirname, 'programs', 'w2.ts');
  const checkouts = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--rounds') rounds = Number(args[++i]);
    else if (args[i] === '--program') program = path.resolve(args[++i]);
    else checkouts.push(path.resolve(args[i]));
  }
  if (checkouts.length === 0 || !(rounds > 0)) throw new Error('usage: compare.js [--rounds N] [--program FILE.ts] CHECKOUT...');
  for (const c of checkouts) {
    if (!fs.existsSync(path.join(c, 'dist', 'cli.js'))) throw new Error(`${c}: no dist/cli.js (run npm run build there)`);
  }
  const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ct-compare-')), 'run.cotrace');
  const modes = checkouts.flatMap((c) => [
    { c, label: 'untraced', args: ['run', program, '--no-trace'] },
    { c, label: 'traced', args: ['run', program, '--quiet', '--out', trace] },
  ]);
  const times = modes.map(() => ({ wall: [], cpu: [] }));
  for (let r = 0; r < rounds; r++) {
    modes.forEach((m, k) => {
      const run = spawnSync(process.execPath, [path.join(m.c, 'dist', 'cli.js'), ...m.args], { encoding: 'utf8' });
      const t = /elapsed_ms=([\d.]+) cpu_ms=([\d.]+)/.exec(run.stdout);
      if (run.status !== 0 || !t) throw new Error(`${m.c} ${m.label}: the program failed or printed no times:\n${run.stderr}`);
      times[k].wall.push(Number(t[1]));
      times[k].cpu.push(Number(t[2]));
    });
  }
  fs.rmSync(path.dirname(trace), { recursive: true, force: true });
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`${path.relative(process.cwd(), program)}, ${rounds} rounds in turns, load ${os.loadavg()[0].toFixed(2)} at the end`);
  console.log('checkout'.padEnd(40), 'run'.padEnd(9), 'wall median / least', ' CPU median / least');
  modes.forEach((m, k) => {
    const { wall, cpu } = times[k];
    const fmt = (xs) => `${median(xs).toFixed(1)} / ${Math.min(...xs).toFixed(1)} ms`;
    console.log(m.c.padEnd(40), m.label.padEnd(9), fmt(wall).padEnd(19), fmt(cpu));
  });
}

try {
  main();
} catch (err) {
  console.error(`compare: ${err.message}`);
  process.exit(2);
}
