// Which local address the OS would use to reach a remote one: a connected UDP socket tells without sending
// anything. Used when the person did not say which address to bind, since our Via and Contact must carry a real one.
import { createSocket } from 'node:dgram';

export function localAddressFor(remote: string, port = 5060): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(remote.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.connect(port, remote, () => {
      const address = socket.address().address;
      socket.close();
      resolve(address);
    });
  });
}
