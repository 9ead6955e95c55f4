import { EmulatorError } from '../../../src/errors';
import { WIKI } from '../../support/sample-app';
import { newState, registerOne } from '../state-fixture';

const wiki = WIKI;

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof EmulatorError) return err.statusCode;
    throw err;
  }
  return undefined;
}

describe('apps associated with groups', () => {
  it('publishes an app in every group it is associated with, after the raw entries', () => {
    const { state } = newState();
    const a = state.createGroup({ name: 'a' });
    const b = state.createGroup({ name: 'b' });
    state.setApps(a.group.id, [{ id: 'raw', bad: true }]);
    const before = {
      a: state.group(a.group.id).catalogVersion,
      b: state.group(b.group.id).catalogVersion,
    };
    const app = state.createApp({ app: wiki, groups: [a.group.id, b.group.id, a.group.id] });
    expect(app.id).toMatch(/^app_[0-9a-f]{16}$/);
    expect(app.groups).toEqual([a.group.id, b.group.id]);
    expect(state.group(a.group.id).catalogVersion).toBe(before.a + 1);
    expect(state.group(b.group.id).catalogVersion).toBe(before.b + 1);
    const { connector } = registerOne(state, a.key.key);
    const { etag, body } = state.catalog(connector);
    expect(etag).toBe(`"${before.a + 1}"`);
    expect(body.apps).toEqual([
      { id: 'raw', bad: true },
      { ...wiki, id: app.id },
    ]);
    expect(state.catalogEntries(b.group.id)).toEqual([{ ...wiki, id: app.id }]);
  });

  it('moves an app between groups, bumping only the groups whose apps changed', () => {
    const { state } = newState();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => state.createGroup({ name }).group.id) as [
      string,
      string,
      string,
    ];
    state.createApp({ app: { ...wiki, id: 'wiki' }, groups: [a, b] });
    const v = () => [a, b, c].map((g) => state.group(g).catalogVersion) as [number, number, number];
    const before = v();
    state.setAppGroups('wiki', [b, c]);
    expect(v()).toEqual([before[0] + 1, before[1], before[2] + 1]);
    expect(state.catalogEntries(a)).toEqual([]);
    state.setAppGroups('wiki', [c, b]);
    expect(v()).toEqual([before[0] + 1, before[1], before[2] + 1]);
    state.removeApp('wiki');
    expect(v()).toEqual([before[0] + 1, before[1] + 1, before[2] + 2]);
    expect(state.listApps()).toEqual([]);
  });

  it('refuses an unknown group (404, nothing changed), a taken id (409), an unknown app (404)', () => {
    const { state } = newState();
    const a = state.createGroup({ name: 'a' }).group.id;
    state.createApp({ app: { ...wiki, id: 'wiki' }, groups: [a] });
    const version = state.group(a).catalogVersion;
    expect(() => state.setAppGroups('wiki', [a, 'grp_nope'])).toThrow('no group grp_nope');
    expect(state.app('wiki').groups).toEqual([a]);
    expect(state.group(a).catalogVersion).toBe(version);
    expect(
      statusOf(() => state.createApp({ app: { ...wiki, id: 'x' }, groups: ['grp_nope'] })),
    ).toBe(404);
    expect(state.listApps().map((x) => x.id)).toEqual(['wiki']);
    expect(statusOf(() => state.createApp({ app: { ...wiki, id: 'wiki' } }))).toBe(409);
    expect(statusOf(() => state.removeApp('nope'))).toBe(404);
  });
});
