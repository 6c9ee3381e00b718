import { createServer } from 'node:net';

const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that nothing listened on a moment ago, for a process that must be told its port
 * before it starts (Prometheus and Alertmanager print no bound address we could read back). Our own Node
 * servers listen on port 0 directly instead. Another process could take the port between this check and
 * the real bind; the bind then fails loudly (the process exits, and its stderr tail says why).
 */
export async function freeLoopbackPort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port bound'))));
      });
    });
    // The kernel may hand the same just-closed port out twice in a row; two of our processes must not share it.
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
