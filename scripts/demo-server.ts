// Serves the demo app (a real Parse JS SDK page) on 127.0.0.1, configured for a given Parse server.

import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iconPng } from './icons.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface DemoConfig {
  /** Parse REST URL, e.g. http://127.0.0.1:1337/parse */
  serverURL: string;
  liveQueryServerURL: string;
  applicationId: string;
  javascriptKey: string;
}

export interface DemoServer {
  url: string;
  /** Paths the server answered with 404 (each one is an error in the page's console). */
  notFound: readonly string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { html: 'text/html', css: 'text/css', js: 'text/javascript', png: 'image/png', ico: 'image/png' };

export async function startDemoServer(config: DemoConfig, port = 0): Promise<DemoServer> {
  const app = await build({ entryPoints: [join(root, 'demo/app.ts')], bundle: true, write: false, format: 'iife', target: 'chrome116' });
  const files: Record<string, string | Buffer> = {
    '/': readFileSync(join(root, 'demo/index.html')),
    '/demo.css': readFileSync(join(root, 'demo/demo.css')),
    '/app.js': app.outputFiles[0]!.text,
    '/parse.min.js': readFileSync(join(root, 'node_modules/parse/dist/parse.min.js')),
    '/config.js': `var DEMO_CONFIG = ${JSON.stringify(config)};`,
    // The extension's icon: without one the browser's favicon request is a 404 in the page's console.
    '/favicon.png': iconPng(32),
    '/favicon.ico': iconPng(32),
  };
  const notFound: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const body = files[path === '/index.html' ? '/' : path];
    if (body === undefined) {
      notFound.push(path);
      response.writeHead(404).end('not found');
      return;
    }
    const extension = path === '/' ? 'html' : path.split('.').pop()!;
    const type = TYPES[extension] ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': type.startsWith('image/') ? type : `${type}; charset=utf-8` }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/`,
    notFound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
