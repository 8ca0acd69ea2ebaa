import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createNetServer, type Socket } from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';

export type EmulatorRequest = IncomingMessage | Http2ServerRequest;
export type EmulatorResponse = ServerResponse | Http2ServerResponse;
export type RequestHandler = (req: EmulatorRequest, res: EmulatorResponse) => void;

export interface Listener {
  port: number;
  /** TCP connections accepted so far (clients that reuse connections open few). */
  connections(): number;
  close(): Promise<void>;
}

const WINDOW_BYTES = 32 * 1024 * 1024;

/** First bytes of every HTTP/2 connection with prior knowledge (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

/**
 * One cleartext port for both protocols: the Bedrock Runtime SDK client speaks HTTP/2 with prior
 * knowledge (its default NodeHttp2Handler), while fetch, curl and the AWS CLI speak HTTP/1.1. The
 * first bytes of each connection decide which server gets the socket.
 */
export async function listenHttp1And2(handler: RequestHandler, port: number, host: string): Promise<Listener> {
  const http1 = createHttp1Server(handler);
  http1.keepAliveTimeout = 5_000;
  // Large windows: transcripts of several MB arrive in a few round trips instead of 64 KiB steps.
  const http2 = createHttp2Server({ maxSessionMemory: 64, settings: { initialWindowSize: WINDOW_BYTES } }, handler);
  http2.on('session', (session) => session.once('localSettings', () => session.setLocalWindowSize(WINDOW_BYTES)));
  const sockets = new Set<Socket>();
  let accepted = 0;

  const net = createNetServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('error', () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const decided = head.length >= H2_PREFACE.length || !H2_PREFACE.subarray(0, head.length).equals(head);
      if (!decided) return;
      socket.off('data', onData);
      if (head.subarray(0, H2_PREFACE.length).equals(H2_PREFACE)) {
        http2.emit('connection', replay(socket, head));
      } else {
        socket.pause();
        socket.unshift(head);
        http1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });

  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen(port, host, () => {
      net.off('error', reject);
      resolve();
    });
  });

  return {
    port: (net.address() as AddressInfo).port,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve, reject) => {
        net.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
        http1.close();
        http2.close();
      }),
  };
}

/**
 * The HTTP/2 session reads a net.Socket through its native handle, which would skip bytes already
 * read for sniffing: hand it a JS stream that replays them, then carries the rest of the socket.
 */
function replay(socket: Socket, head: Buffer): Duplex {
  const incoming = new PassThrough();
  incoming.write(head);
  socket.pipe(incoming);
  const duplex = Duplex.from({ readable: incoming, writable: socket });
  socket.once('close', () => duplex.destroy());
  duplex.once('close', () => socket.destroy());
  return duplex;
}
