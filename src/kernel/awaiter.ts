/**
 * Why cells stay interruptible after an `await`: vm's breakOnSigint only breaks JavaScript
 * that runs inside a vm script call, and the code after an `await` normally runs from the
 * microtask queue, outside any such call. (Stopping it with the inspector's
 * Runtime.terminateExecution instead aborts node: it skips the async-hooks bookkeeping that
 * AsyncLocalStorage turns on.) So cells are compiled with async functions downlevelled to
 * generators, and this `__awaiter` steps each generator inside a tiny vm script run with
 * breakOnSigint. A SIGINT then throws ERR_SCRIPT_EXECUTION_INTERRUPTED out of whichever step
 * is running, the cell's promise rejects, and the process and its state carry on.
 */
import { Script } from 'node:vm';

const RESUME = Symbol.for('vae-lab.resume');
const resumeScript = new Script('globalThis[Symbol.for("vae-lab.resume")]()', { filename: 'vae-lab-resume.js' });

function step<T>(gen: Generator<unknown, T, unknown>, method: 'next' | 'throw', value: unknown): IteratorResult<unknown, T> {
  (globalThis as Record<symbol, unknown>)[RESUME] = () => gen[method](value as never);
  return resumeScript.runInThisContext({ breakOnSigint: true, displayErrors: false }) as IteratorResult<unknown, T>;
}

/** Same contract as TypeScript's `__awaiter` helper (thisArg, arguments, Promise ctor, generator). */
function awaiter<T>(thisArg: unknown, args: unknown, P: PromiseConstructor | undefined, body: (...a: unknown[]) => Generator<unknown, T, unknown>): Promise<T> {
  const PromiseCtor = P ?? Promise;
  return new PromiseCtor<T>((resolve, reject) => {
    const gen = body.apply(thisArg, (args as unknown[]) ?? []);
    const advance = (method: 'next' | 'throw', value: unknown): void => {
      let r: IteratorResult<unknown, T>;
      try {
        r = step(gen, method, value);
      } catch (err) {
        reject(err);
        return;
      }
      if (r.done) resolve(r.value);
      else
        PromiseCtor.resolve(r.value).then(
          (v) => advance('next', v),
          (e) => advance('throw', e),
        );
    };
    advance('next', undefined);
  });
}

/** Cell scripts pick this up through their `(this && this.__awaiter) ||` helper prologue. */
export function installAwaiter(): void {
  Object.defineProperty(globalThis, '__awaiter', { value: awaiter, writable: true, configurable: true, enumerable: false });
}
