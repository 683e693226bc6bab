// Builds the unpacked extension for Chrome (dist/chrome) and Firefox (dist/firefox) with esbuild.

import { build, type BuildOptions } from 'esbuild';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iconPng } from './icons.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(root, 'dist');
export const CHROME_DIR = join(DIST, 'chrome');
export const FIREFOX_DIR = join(DIST, 'firefox');
const GECKO_ID = 'livequery-devtools@livequery-devtools.dev';
/** What the page hook's frames show as their script in page stack traces. */
export const HOOK_SOURCE_URL = '<anonymous>';

type Manifest = Record<string, unknown> & { background: Record<string, unknown> };

function firefoxManifest(chrome: Manifest): Manifest {
  const { service_worker: serviceWorker, ...background } = chrome.background;
  const manifest: Manifest = {
    ...chrome,
    background: { ...background, scripts: [serviceWorker] },
    browser_specific_settings: {
      gecko: { id: GECKO_ID, strict_min_version: '128.0', data_collection_permissions: { required: ['none'] } },
    },
  };
  delete manifest.minimum_chrome_version;
  return manifest;
}

/**
 * The panel is an ES module split into chunks: what the first paint needs is panel.js and the chunks it imports
 * statically; views, rules and formats loaded with import() come later. A lazy chunk is named after the module it
 * starts from (chunks/WhyNoEvent-<hash>.js); esbuild calls every shared chunk "chunk", so those are renamed after
 * their largest module (chunks/shared-preact.module-<hash>.js).
 */
async function buildPanel(common: BuildOptions, outDir: string): Promise<void> {
  const result = await build({
    ...common,
    format: 'esm',
    splitting: true,
    entryPoints: { panel: join(root, 'panel/panel.tsx') },
    chunkNames: 'chunks/[name]-[hash]',
    outdir: outDir,
    metafile: true,
    write: false,
  });
  const renames = new Map<string, string>();
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    const name = basename(path);
    if (!name.startsWith('chunk-') || !name.endsWith('.js')) continue;
    const [largest] = Object.entries(output.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)[0] ?? [];
    const module = largest ? basename(largest).replace(/\.[cm]?[jt]sx?$/, '') : 'code';
    renames.set(name, name.replace(/^chunk-/, `shared-${module.replace(/[^\w.-]/g, '_')}-`));
  }
  const rename = (text: string) => text.replace(/chunk-[A-Z0-9]+\.js/g, (name) => renames.get(name) ?? name);
  for (const file of result.outputFiles) {
    const path = join(dirname(file.path), rename(basename(file.path)));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, rename(file.text));
  }
}

async function bundle(outDir: string, minify: boolean): Promise<void> {
  const common: BuildOptions = {
    bundle: true,
    minify,
    sourcemap: minify ? false : 'linked',
    target: ['chrome116', 'firefox128'],
    logLevel: 'warning',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    jsx: 'automatic',
    jsxImportSource: 'preact',
  };
  await Promise.all([
    build({ ...common, format: 'esm', entryPoints: { background: join(root, 'background/index.ts') }, outdir: outDir }),
    buildPanel(common, outDir),
    build({
      ...common,
      format: 'iife',
      entryPoints: {
        devtools: join(root, 'panel/devtools.ts'),
        'regex-worker': join(root, 'panel/regex-worker.ts'),
        'page-hook': join(root, 'src/inspect/page-hook.ts'),
        'page-relay': join(root, 'src/inspect/page-relay.ts'),
      },
      outdir: outDir,
    }),
  ]);
}

export async function buildExtension(options: { minify?: boolean } = {}): Promise<void> {
  const minify = options.minify ?? true;
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Manifest;
  rmSync(DIST, { recursive: true, force: true });
  for (const [dir, browserManifest] of [
    [CHROME_DIR, manifest],
    [FIREFOX_DIR, firefoxManifest(manifest)],
  ] as const) {
    mkdirSync(join(dir, 'icons'), { recursive: true });
    await bundle(dir, minify);
    // The hook runs in the page's own JavaScript: a frame of it in a stack trace the page takes (e.g. in a toString
    // that send() calls) names this neutral source instead of chrome-extension://<id>/page-hook.js.
    appendFileSync(join(dir, 'page-hook.js'), `\n//# sourceURL=${HOOK_SOURCE_URL}\n`);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(browserManifest, null, 2));
    for (const file of ['devtools.html', 'panel.html', 'panel.css']) copyFileSync(join(root, 'panel', file), join(dir, file));
    for (const size of [16, 32, 48, 128]) writeFileSync(join(dir, 'icons', `icon-${size}.png`), iconPng(size));
    // `npm start` replaces this with the demo server, so the panel's forms come pre-filled.
    writeFileSync(join(dir, 'dev-defaults.json'), '{}');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  await buildExtension({ minify: !process.argv.includes('--dev') });
  console.log(`built ${CHROME_DIR} and ${FIREFOX_DIR} in ${Date.now() - started} ms`);
}
