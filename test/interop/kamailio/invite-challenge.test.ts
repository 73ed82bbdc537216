// The call proxy's INVITE challenge can be switched off per Kamailio instance (-A NO_INVITE_CHALLENGE), for tests
// that place calls without credentials; every other initial request of a local user is still challenged.
import { afterEach, describe, expect, it } from 'vitest';
import { peersAvailable, startKamailio, type KamailioHandle } from '../support/kamailio';
import { sendUdpRequest } from '../support/sip-probe';

const peers = peersAvailable();

const SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0',
  '',
].join('\r\n');

describe.skipIf(!peers.kamailio)('Kamailio INVITE challenge switch', () => {
  let kamailio: KamailioHandle | undefined;

  afterEach(async () => {
    await kamailio?.stop();
    kamailio = undefined;
  });

  async function invite(handle: KamailioHandle, method = 'INVITE') {
    return sendUdpRequest(handle.port, {
      method,
      requestUri: handle.uri('bob'),
      from: handle.uri('alice'),
      to: handle.uri('bob'),
      ...(method === 'INVITE' ? { extraHeaders: ['Content-Type: application/sdp'], body: SDP } : {}),
    });
  }

  it('challenges a local user’s INVITE with 407 by default', async () => {
    kamailio = await startKamailio({ users: [{ username: 'alice', password: 'pw' }] });
    const response = await invite(kamailio);
    expect(response.status).toBe(407);
    expect(response.header('Proxy-Authenticate')).toMatch(/^Digest realm="example\.test"/);
  });

  it('lets the INVITE through when switched off (404: bob has no binding), and still challenges MESSAGE', async () => {
    kamailio = await startKamailio({
      users: [{ username: 'alice', password: 'pw' }],
      challengeInvites: false,
    });
    expect((await invite(kamailio)).status).toBe(404);
    expect((await invite(kamailio, 'MESSAGE')).status).toBe(407);
  });
});
