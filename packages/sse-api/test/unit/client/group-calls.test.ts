import { MockAgent } from 'undici';
import { SseApiError, SseClient, SseProtocolError } from '../../../src/client';
import { UPDATE_SLOT_TAKEN } from '../../../src/contracts';

const A = 'https://sse-a.test';
const CATALOG = 'https://catalog.test';

function setup() {
  const mock = new MockAgent();
  mock.disableNetConnect();
  const client = new SseClient({
    baseUrls: [A],
    endpoints: { catalog: [CATALOG] },
    timeoutMs: 200,
    createDispatcher: () => mock,
  });
  return { mock, client };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

const group = {
  groupId: 'grp_1',
  name: 'east',
  connectors: [
    { id: 'con_1', hostname: 'vm1', state: 'active', freshTunnels: 2 },
    { id: 'con_2', hostname: 'vm2', state: 'draining', freshTunnels: 1 },
  ],
  updateSlot: { connectorId: 'con_2', leaseId: 'l1', expiresAt: '2030-01-01T00:00:00.000Z' },
};

describe('SseClient: the group and its update slot', () => {
  it('gets the group from the catalog endpoint with the bearer token', async () => {
    const { mock, client } = setup();
    mock
      .get(CATALOG)
      .intercept({ path: '/v1/group', method: 'GET', headers: { authorization: 'Bearer t' } })
      .reply(200, { ...group, extra: 1 });
    await expect(client.group('t')).resolves.toEqual(group);
  });

  it('names the bad field of a group answer that breaks the contract', async () => {
    const { mock, client } = setup();
    mock
      .get(CATALOG)
      .intercept({ path: '/v1/group', method: 'GET' })
      .reply(200, { ...group, connectors: [{ ...group.connectors[0], state: 'gone' }] });
    const err = await failure(client.group('t'));
    expect(err).toBeInstanceOf(SseProtocolError);
    expect(err.message).toMatch(/connectors\[0\]\.state/);
  });

  it('takes the update slot, and reports a slot held by another connector as 409 update_slot_taken', async () => {
    const { mock, client } = setup();
    const grant = { connectorId: 'con_1', leaseId: 'l2', expiresAt: '2030-01-01T00:10:00.000Z' };
    mock
      .get(CATALOG)
      .intercept({
        path: '/v1/group/update-slot',
        method: 'POST',
        body: JSON.stringify({ ttlSeconds: 600 }),
      })
      .reply(200, grant);
    await expect(client.updateSlot({ ttlSeconds: 600 }, 't')).resolves.toEqual(grant);
    const message = 'the group update slot is held by con_2 until 2030-01-01T00:00:00.000Z';
    mock
      .get(CATALOG)
      .intercept({ path: '/v1/group/update-slot', method: 'POST' })
      .reply(409, { error: { code: UPDATE_SLOT_TAKEN, message } });
    const err = await failure(client.updateSlot({ ttlSeconds: 600 }, 't'));
    expect(err).toBeInstanceOf(SseApiError);
    expect(err).toMatchObject({ status: 409, code: UPDATE_SLOT_TAKEN, retryable: false });
    expect(err.message).toContain(message);
  });

  it('releases the update slot by lease id', async () => {
    const { mock, client } = setup();
    mock
      .get(CATALOG)
      .intercept({
        path: '/v1/group/update-slot/release',
        method: 'POST',
        body: JSON.stringify({ leaseId: 'l2' }),
      })
      .reply(200, { released: true });
    await expect(client.updateSlotRelease({ leaseId: 'l2' }, 't')).resolves.toEqual({
      released: true,
    });
    mock
      .get(CATALOG)
      .intercept({ path: '/v1/group/update-slot/release', method: 'POST' })
      .reply(200, { released: 'yes' });
    expect((await failure(client.updateSlotRelease({ leaseId: 'l2' }, 't'))).message).toMatch(
      /field released is not boolean/,
    );
  });
});
