// Preloaded into the traced command by bench.js (`node -r bench/host-cpu.js dist/cli.js run ...`): prints the CPU
// time of the host process itself (decoding frames, writing the trace, the analysis), not of the traced program,
// which runs in a child process.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`host_cpu_ms=${((user + system) / 1000).toFixed(0)}\n`);
});
