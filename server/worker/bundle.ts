import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Bundles server/worker/index.ts into the module Worker that wrangler deploys and Miniflare runs.
 *
 * libsodium-wrappers-sumo carries its WebAssembly inline and compiles it at run time, which Workers forbid
 * ("Wasm code generation disallowed by embedder"). So the bundle imports libsodium's WebAssembly as a
 * separate module file, which workerd compiles at upload, and a small shim hands that compiled module to
 * libsodium's Emscripten loader through its `instantiateWasm` hook. The bytes are exactly the ones
 * libsodium would compile itself: they are captured from the loader, not copied out of its source text.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WORKER_ENTRY = join(ROOT, 'server/worker/index.ts');
export const WORKER_MAIN = 'index.js';
/** Where `npm run range:worker:bundle` writes the bundle (wrangler.toml's `main` points into it). */
export const DEFAULT_BUNDLE_DIR = '.output-range-worker';
export const LIBSODIUM_WASM = 'libsodium-sumo.wasm';
/** Same as wrangler.toml; workerd in the pinned miniflare supports it. */
export const COMPATIBILITY_DATE = '2026-04-01';
export const COMPATIBILITY_FLAGS = ['nodejs_compat'];

export interface WorkerModule {
  type: 'ESModule' | 'CompiledWasm';
  /** File name inside the bundle folder. */
  path: string;
  contents: Uint8Array<ArrayBuffer>;
}

export interface WorkerBundle {
  modules: WorkerModule[];
}

let wasmBytes: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** libsodium-sumo's WebAssembly binary, captured as its loader passes it to WebAssembly.instantiate. */
export function getLibsodiumWasm(): Promise<Uint8Array<ArrayBuffer>> {
  wasmBytes ??= (async () => {
    // The ESM loader, as the bundler resolves it (a variable specifier: the package ships no types).
    const specifier = 'libsodium-sumo';
    const loader = (await import(specifier)) as { default: (options: object) => Promise<unknown> };
    const original = WebAssembly.instantiate;
    let captured: Uint8Array<ArrayBuffer> | undefined;
    WebAssembly.instantiate = function (this: unknown, source: unknown, imports?: WebAssembly.Imports) {
      if (!captured && ArrayBuffer.isView(source)) {
        captured = new Uint8Array(
          source.buffer,
          source.byteOffset,
          source.byteLength,
        ).slice() as Uint8Array<ArrayBuffer>;
      }
      return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>).call(this, source, imports);
    } as typeof WebAssembly.instantiate;
    try {
      await loader.default({});
    } finally {
      WebAssembly.instantiate = original;
    }
    if (!captured || !WebAssembly.validate(captured)) {
      throw new Error('could not capture libsodium-sumo WebAssembly (did its loader change?)');
    }
    return captured;
  })();
  return wasmBytes;
}

const SHIM = `
import createModule from 'libsodium-sumo';
import wasm from './${LIBSODIUM_WASM}';
export default function (options = {}) {
  return createModule({
    ...options,
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(wasm, imports).then((instance) => done(instance, wasm));
      return {};
    },
  });
}
`;

const libsodiumShim: Plugin = {
  name: 'libsodium-precompiled',
  setup(context) {
    context.onResolve({ filter: /^libsodium-sumo$/ }, (args) =>
      args.namespace === 'libsodium-shim' ? undefined : { path: 'libsodium-sumo', namespace: 'libsodium-shim' },
    );
    context.onLoad({ filter: /.*/, namespace: 'libsodium-shim' }, () => ({
      contents: SHIM,
      loader: 'js',
      resolveDir: dirname(createRequire(join(ROOT, 'package.json')).resolve('libsodium-wrappers-sumo')),
    }));
    context.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** The Worker's modules: the bundled script and libsodium's WebAssembly. */
export async function bundleWorker(): Promise<WorkerBundle> {
  const [result, wasm] = await Promise.all([
    build({
      entryPoints: [WORKER_ENTRY],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      conditions: ['workerd', 'worker', 'import'],
      external: ['node:*', 'cloudflare:*'],
      plugins: [libsodiumShim],
      tsconfig: join(ROOT, 'tsconfig.json'),
      logLevel: 'silent',
      legalComments: 'none',
    }),
    getLibsodiumWasm(),
  ]);
  const script = result.outputFiles[0];
  if (!script) throw new Error('esbuild produced no output');
  return {
    modules: [
      { type: 'ESModule', path: WORKER_MAIN, contents: script.contents as Uint8Array<ArrayBuffer> },
      { type: 'CompiledWasm', path: LIBSODIUM_WASM, contents: wasm },
    ],
  };
}

/** Writes the bundle to a folder (what wrangler.toml's `main` points at). */
export async function writeWorkerBundle(outDir: string): Promise<string[]> {
  const bundle = await bundleWorker();
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const module of bundle.modules) {
    const path = join(outDir, module.path);
    await writeFile(path, module.contents);
    written.push(path);
  }
  return written;
}
