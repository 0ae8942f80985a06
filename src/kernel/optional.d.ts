/** Parts of the lab resolved at build time by build/kernel-build.mjs (a stub when absent). */
declare module 'optional:*' {
  const mod: { __missing?: string } & Record<string, unknown>;
  export = mod;
}
