// npm run bench -- webgpu: one Adam step of the MLP VAE, the conv VAE and the WAE MNIST nets
// (the same nets as runtime.bench.ts) on tfjs-backend-webgpu, naming the adapter. Each step ends
// with `await loss.data()`, so the time includes the GPU finishing, not only the enqueueing.
// Without a hardware adapter this runs on a software renderer (Mesa's llvmpipe): a few
// repetitions only, and the figures say so; they measure that renderer, not a GPU.
// Prints `name: value (webgpu, adapter; median of n, range min-max ms)`, or one `#` line when no adapter.
import { initRuntime } from '../../src/lab/runtime';
import { awaitedVaeStep, convNet, mlpNet, waeNet } from './nets';

async function time(name: string, f: () => Promise<void>, reps: number, warm: number, where: string): Promise<void> {
  for (let i = 0; i < warm; i++) await f(); // the first runs compile the shaders
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  console.log(`${name}: ${ts[Math.floor(reps / 2)].toFixed(1)} (${where}; median of ${reps}, range ${ts[0].toFixed(1)}-${ts[reps - 1].toFixed(1)} ms)`);
}

async function main() {
  const info = await initRuntime('webgpu').catch((e: Error) => e);
  if (info instanceof Error) {
    console.log(`# webgpu: no adapter, nothing measured (${info.message.split('. ')[0]})`);
    return;
  }
  const soft = !!info.adapter?.software;
  const where = `webgpu, ${info.device}`;
  const want = (name: string) => name.includes(process.env.BENCH_ONLY ?? '');
  if (soft) console.log('# webgpu: a software renderer, not a GPU; few repetitions (set BENCH_ONLY to pick one)');
  if (want('mlp')) await time('webgpu_mlp_vae_step_ms', awaitedVaeStep(mlpNet()), soft ? 3 : 20, soft ? 1 : 3, where);
  if (want('conv')) await time('webgpu_conv_vae_step_ms', awaitedVaeStep(convNet()), soft ? 3 : 10, soft ? 1 : 3, where);
  // One WAE step on llvmpipe took over 8 minutes here: on a software renderer only when asked for.
  if (soft && !process.env.BENCH_ONLY) console.log('# webgpu_wae_mnist_step_ms: skipped on a software renderer (over 8 min a step; BENCH_ONLY=wae runs it)');
  else if (want('wae')) await time('webgpu_wae_mnist_step_ms', awaitedVaeStep(waeNet()), soft ? 1 : 5, 1, where);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
