import { createServer, type Server } from 'node:http';

/**
 * The local HTTP API. For now it answers health checks; the ratings and calls routes are served
 * here when the API function exists, each behind authentication.
 */
export async function startApiServer(host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      return;
    }
    res
      .writeHead(404, { ...headers, 'content-type': 'application/problem+json' })
      .end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no route for ${req.method} ${req.url?.split('?')[0]}` }));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}
