/** A TCP port free on loopback right now, for a child process to listen on (another may take it first; rarely). */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
