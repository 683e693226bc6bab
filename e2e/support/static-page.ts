// A tiny HTTP server on 127.0.0.1 for pages the tests inspect.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticPages {
  url(path?: string): string;
  close(): Promise<void>;
}

export async function serveStaticPages(pages: Record<string, string> = {}): Promise<StaticPages> {
  const all: Record<string, string> = { '/': '<!doctype html><title>inspected page</title><h1>inspected</h1>', ...pages };
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const body = all[path];
    if (body === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
