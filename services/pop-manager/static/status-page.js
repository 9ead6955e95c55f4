// The POP status page: reads /status every few seconds and renders it. Plain DOM, text only
// (never HTML from the data), no dependencies.
(() => {
  const REFRESH_MS = 5000;

  const TONES = {
    up: 'ok',
    connected: 'ok',
    ready: 'ok',
    stale: 'warn',
    unhealthy: 'warn',
    connecting: 'warn',
    reconnecting: 'warn',
    'not-ready': 'warn',
    starting: 'warn',
    down: 'bad',
    stopped: 'bad',
    error: 'bad',
    fatal: 'bad',
    unknown: 'unknown',
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, opts, ...children) {
    const e = document.createElement(tag);
    if (opts?.className) e.className = opts.className;
    if (opts?.title) e.title = opts.title;
    for (const c of children) {
      if (c === undefined || c === null) continue;
      e.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
    }
    return e;
  }

  const pill = (text, tone) =>
    el('span', { className: `pill pill-${tone ?? TONES[text] ?? 'unknown'}` }, text);

  function when(iso) {
    if (!iso) return '–';
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return iso;
    const ago = Math.round((Date.now() - t) / 1000);
    const local = new Date(t).toLocaleString();
    if (ago < 0) return local;
    if (ago < 90) return `${ago}s ago`;
    if (ago < 5400) return `${Math.round(ago / 60)}m ago`;
    return local;
  }

  function bytes(n) {
    if (typeof n !== 'number') return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
  }

  function duration(s) {
    if (typeof s !== 'number') return '–';
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
  }

  function fillTable(id, rows) {
    const table = $(id);
    const body = table.tBodies[0];
    body.replaceChildren(...rows);
    const empty = table.parentElement.querySelector('.empty');
    if (empty) {
      empty.hidden = rows.length > 0;
      table.hidden = rows.length === 0;
    }
  }

  const cell = (content, className) => el('td', className ? { className } : undefined, content);

  function renderServices(services) {
    fillTable(
      'services',
      services.map((s) => {
        const tr = el(
          'tr',
          undefined,
          cell(s.name, 'mono'),
          cell(
            el(
              'span',
              undefined,
              pill(s.status),
              s.state && s.state !== 'ready' && s.status === 'up' ? ' ' : '',
              s.state && s.state !== 'ready' && s.status === 'up' ? pill(s.state) : '',
            ),
          ),
          cell(s.version ?? '–', 'mono'),
          cell(when(s.started)),
          cell(when(s.updated)),
          cell(s.pid ?? '–', 'mono'),
          cell(s.reason ?? '', 'note'),
        );
        tr.dataset.service = s.name;
        return tr;
      }),
    );
  }

  function renderTunnels(tunnels) {
    fillTable(
      'tunnels',
      tunnels.map((t) => {
        const tr = el(
          'tr',
          undefined,
          cell(t.name, 'mono'),
          cell(pill(t.phase)),
          cell(t.gateway),
          cell(t.remote, 'mono'),
          cell(t.localAddress ?? '–', 'mono'),
          cell(when(t.since)),
          cell(`${bytes(t.bytesIn)} / ${bytes(t.bytesOut)}`),
          cell(t.reconnects),
          cell(t.lastError ?? '', 'note'),
        );
        tr.dataset.tunnel = t.name;
        return tr;
      }),
    );
  }

  function renderApps(apps) {
    fillTable(
      'apps',
      apps.map((a) => {
        const up = a.servers.filter((s) => s.up).length;
        const servers = el(
          'span',
          undefined,
          a.servers.length ? `${up}/${a.servers.length} up` : '–',
        );
        servers.title = a.servers
          .map((s) => `${s.server} ${s.up ? 'up' : `down${s.error ? `: ${s.error}` : ''}`}`)
          .join('\n');
        const tr = el(
          'tr',
          undefined,
          cell(
            el(
              'span',
              undefined,
              el('strong', undefined, a.name ?? a.appId),
              a.name ? el('span', { className: 'sub mono' }, ` ${a.appId}`) : '',
              a.notInCatalog ? el('span', { className: 'sub' }, ' (no longer in the catalog)') : '',
            ),
          ),
          cell(a.host ? `${a.host}:${a.port}` : '–', 'mono'),
          cell(pill(a.status)),
          cell(servers),
          cell(when(a.since)),
        );
        tr.dataset.app = a.appId;
        return tr;
      }),
    );
  }

  function card(label, value, pct) {
    const dd = el('dd', undefined, value);
    if (typeof pct === 'number') {
      const fill = el('span', {
        className: pct >= 90 ? 'bad' : pct >= 75 ? 'warn' : '',
      });
      fill.style.width = `${Math.min(100, Math.max(0, pct))}%`;
      dd.append(el('div', { className: 'bar' }, fill));
    }
    return el('div', undefined, el('dt', undefined, label), dd);
  }

  function renderHost(h) {
    const cards = [
      card(
        `CPU (${h.cpuCount} cores)`,
        h.cpuPercent === null ? 'measuring…' : `${h.cpuPercent}%`,
        h.cpuPercent ?? undefined,
      ),
    ];
    if (h.memory) {
      const used = h.memory.totalBytes - h.memory.availableBytes;
      cards.push(
        card(
          'Memory',
          `${bytes(used)} used of ${bytes(h.memory.totalBytes)}`,
          h.memory.usedPercent,
        ),
      );
    }
    if (h.disk) {
      cards.push(
        card(
          `Disk ${h.disk.path}`,
          `${bytes(h.disk.availableBytes)} free of ${bytes(h.disk.totalBytes)}`,
          h.disk.usedPercent,
        ),
      );
    }
    if (h.load)
      cards.push(card('Load 1 / 5 / 15 min', `${h.load.one} / ${h.load.five} / ${h.load.fifteen}`));
    cards.push(card('Host uptime', duration(h.uptimeSeconds)));
    $('host').replaceChildren(...cards);
  }

  function renderPush(p) {
    $('push').replaceChildren(
      card('Last delivered', p.lastSuccessAt ? when(p.lastSuccessAt) : 'not yet'),
      card('Waiting to send', p.pending ? 'yes' : 'no'),
      card('Last error', p.lastError ? `${p.lastError.code} (${when(p.lastError.at)})` : 'none'),
    );
    if (p.lastError) $('push').lastElementChild.title = p.lastError.message;
  }

  function renderErrors(errors) {
    fillTable(
      'errors',
      [...errors]
        .reverse()
        .map((e) =>
          el(
            'tr',
            undefined,
            cell(new Date(e.time).toLocaleString()),
            cell(e.service, 'mono'),
            cell(pill(e.level)),
            cell(
              [
                e.component ? `[${e.component}] ` : '',
                e.msg,
                e.error ? ` — ${e.error}` : '',
                e.code ? ` (${e.code})` : '',
              ].join(''),
            ),
          ),
        ),
    );
  }

  function overall(s) {
    const bad = s.services.filter((x) => x.status !== 'up').length;
    const tunnelsDown = s.tunnels.filter((t) => t.phase !== 'connected').length;
    const appsDown = s.apps.filter((a) => a.status === 'down').length;
    const notes = [];
    if (bad) notes.push(`${bad} service${bad > 1 ? 's' : ''} not up`);
    if (tunnelsDown) notes.push(`${tunnelsDown} tunnel${tunnelsDown > 1 ? 's' : ''} not connected`);
    if (appsDown) notes.push(`${appsDown} app${appsDown > 1 ? 's' : ''} down`);
    const o = $('overall');
    o.textContent = notes.length ? notes.join(', ') : 'all good';
    o.className = `pill pill-${notes.length ? (bad ? 'bad' : 'warn') : 'ok'}`;
  }

  function render(s) {
    $('hostname').textContent = s.hostname;
    document.title = `${s.hostname} — POP status`;
    $('version').textContent = s.version;
    $('reported-at').textContent = new Date(s.reportedAt).toLocaleString();
    renderServices(s.services);
    renderTunnels(s.tunnels);
    renderApps(s.apps);
    renderHost(s.host);
    renderPush(s.push);
    renderErrors(s.recentErrors);
    overall(s);
    const problems = s.collectErrors ?? [];
    $('banner').hidden = problems.length === 0;
    $('banner').textContent = problems.length ? `Partly unavailable: ${problems.join('; ')}` : '';
  }

  let lastOk;
  async function refresh() {
    try {
      const res = await fetch('status', { cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      render(await res.json());
      lastOk = Date.now();
      document.body.dataset.loaded = 'true';
      $('refresh-state').textContent = `refreshing every ${REFRESH_MS / 1000} s`;
    } catch (err) {
      $('refresh-state').textContent = lastOk
        ? `cannot reach pop-manager (${err.message}); showing data from ${new Date(lastOk).toLocaleTimeString()}`
        : `cannot reach pop-manager (${err.message})`;
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  refresh();
})();
