export interface AdminResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  body: any;
}

export function adminClient(baseUrl: string, token?: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<AdminResponse> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, body: parsed };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
    put: (path: string, body?: unknown) => call('PUT', path, body),
    delete: (path: string) => call('DELETE', path),
    /** A group and a key for it; returns both. */
    async groupWithKey(keyBody: Record<string, unknown> = {}) {
      const group = await call('POST', '/admin/groups', { name: 'test-group' });
      if (group.status !== 201) throw new Error(`group create: ${JSON.stringify(group.body)}`);
      const key = await call('POST', `/admin/groups/${group.body.id}/keys`, keyBody);
      if (key.status !== 201) throw new Error(`key create: ${JSON.stringify(key.body)}`);
      return {
        groupId: group.body.id as string,
        key: key.body.key as string,
        keyId: key.body.id as string,
      };
    },
  };
}
