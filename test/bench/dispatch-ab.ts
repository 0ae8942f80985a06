/**
 * The wasm path's dispatch savings side by side: node --import tsx test/bench/dispatch-ab.ts
 * (under flock /tmp/vae-lab-bench.lock). Alternates child processes with the lab's dense
 * kernels, cheap saves and lean gradients on (as shipped) and all three off
 * (VAE_LAB_DENSE=0 VAE_LAB_CHEAP_SAVES=0 VAE_LAB_LEAN_GRADS=0: tfjs's own), AB_ROUNDS rounds
 * (default 5) of AB_STEPS timed steps each (default 40, after 5 warm-ups), for each net in
 * AB_NETS (default mlp; also conv) and each thread count in AB_THREADS (default 2,1). Prints per
 * setting the medians and ranges of the children's median wall and CPU ms per step (CPU:
 * process.cpuUsage, both threads), and the median of each round's on/off ratio.
 */
import { execFileSync } from 'node:child_process';
import { initRuntime } from '../../src/lab/runtime';
import { convVae, mlpVae } from './nets';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const OFF = { VAE_LAB_DENSE: '0', VAE_LAB_CHEAP_SAVES: '0', VAE_LAB_LEAN_GRADS: '0' };

/** In a child: time the steps and print {wall, cpu}. */
async function child(): Promise<void> {
  await initRuntime('wasm', { threads: Number(process.env.AB_CHILD_THREADS) });
  const step = (process.env.AB_CHILD_NET === 'conv' ? convVae : mlpVae)();
  for (let i = 0; i < 5; i++) step();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < Number(process.env.AB_STEPS ?? 40); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  console.log(JSON.stringify({ wall: median(wall), cpu: median(cpu) }));
}

function run(net: string, threads: string, on: boolean): { wall: number; cpu: number } {
  const env = { ...process.env, AB_CHILD: '1', AB_CHILD_NET: net, AB_CHILD_THREADS: threads, ...(on ? {} : OFF) };
  const out = execFileSync(process.execPath, [...process.execArgv, __filename], { env, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function main(): void {
  const rounds = Number(process.env.AB_ROUNDS ?? 5);
  const fmt = (xs: number[], d = 1) => `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)})`;
  for (const net of (process.env.AB_NETS ?? 'mlp').split(',')) {
    for (const threads of (process.env.AB_THREADS ?? '2,1').split(',')) {
      const on: { wall: number; cpu: number }[] = [];
      const off: { wall: number; cpu: number }[] = [];
      for (let r = 0; r < rounds; r++) {
        on.push(run(net, threads, true));
        off.push(run(net, threads, false));
      }
      for (const k of ['wall', 'cpu'] as const) {
        const ratio = on.map((o, i) => o[k] / off[i][k]);
        console.log(
          `${net}_vae_step ${k} ms, ${threads} thread${threads === '1' ? '' : 's'}: lab ${fmt(on.map((o) => o[k]))}, tfjs's own ${fmt(off.map((o) => o[k]))}, ` +
            `lab/tfjs ${fmt(ratio, 2)} (medians over ${rounds} alternating rounds of ${process.env.AB_STEPS ?? 40} steps)`,
        );
      }
    }
  }
}

if (process.env.AB_CHILD) child();
else main();
