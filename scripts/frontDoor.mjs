// The front door of `npm start`: the only listener on 127.0.0.1:PORT, in front of code-server, which listens on a
// unix socket in a private folder. Jupyter's defences, since code-server 4.100 has only a partial one (it compares
// Origin with Host, which a DNS-rebinding page passes: both name the attacker's domain):
//   - a request whose Host is not this server's loopback name (127.0.0.1, localhost or [::1] with this port) is
//     refused with 403, and so is one whose Origin, when sent, is not: a page of another site, or one that
//     rebinds its name to 127.0.0.1, reaches neither the workbench nor its WebSocket;
//   - code-server asks for a random password (--auth password); the URL printed carries it as `?token=`, which
//     the door trades for code-server's session cookie (a login, as code-server's own page does) and then drops
//     from the address with a redirect, as Jupyter's token URL does.
import { timingSafeEqual } from 'node:crypto';
import { request, createServer } from 'node:http';
import { connect } from 'node:net';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** The Host values this server answers to. */
export function allowedHosts(port) {
  return new Set(LOOPBACK.map((h) => `${h}:${port}`));
}

/**
 * Why a request is refused (undefined when it is let in): a Host other than this server's loopback names, or an
 * Origin from anywhere else (an unparsable or `null` origin included).
 */
export function refusal(headers, port) {
  const hosts = allowedHosts(port);
  const host = String(headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return `Host "${host}" is not this server (${[...hosts].join(', ')})`;
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  let originHost;
  try { const u = new URL(origin); originHost = u.protocol === 'http:' ? u.host.toLowerCase() : undefined; } catch { originHost = undefined; }
  if (!originHost || !hosts.has(originHost)) return `Origin "${origin}" is not this server`;
  return undefined;
}

function sameSecret(a, b) {
  const x = Buffer.from(String(a)), y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Headers for code-server: hop-by-hop proxy headers dropped, so its own checks see the Host the door checked. */
function forwardedHeaders(headers) {
  const out = { ...headers };
  for (const h of ['forwarded', 'x-forwarded-host', 'x-forwarded-for', 'x-forwarded-proto']) delete out[h];
  return out;
}

/** Asks code-server to log in with the password; resolves with its Set-Cookie headers (none when refused). */
function login(socketPath, headers, password) {
  const body = new URLSearchParams({ password }).toString();
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath, method: 'POST', path: '/login',
      headers: { host: headers.host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    }, (res) => { res.resume(); resolve(res.statusCode === 302 ? res.headers['set-cookie'] ?? [] : []); });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Listens on 127.0.0.1:`port` and forwards what it lets in to code-server's unix socket `socketPath`. Resolves
 * with the server once it listens.
 */
export function startFrontDoor({ port, socketPath, password, log = () => undefined }) {
  const handle = async (req, res) => {
    const why = refusal(req.headers, port);
    if (why) {
      log(`refused ${req.method} ${req.url}: ${why}`);
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(`Forbidden: ${why}.\n`);
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const token = url.searchParams.get('token');
    if (token !== null) {
      url.searchParams.delete('token');
      const cookies = sameSecret(token, password) ? await login(socketPath, req.headers, password).catch(() => []) : [];
      res.writeHead(302, { location: `${url.pathname}${url.search}`, 'set-cookie': cookies, 'cache-control': 'no-store' }).end();
      return;
    }
    const upstream = request({ socketPath, method: req.method, path: req.url, headers: forwardedHeaders(req.headers) }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => { if (!res.headersSent) res.writeHead(502).end(`code-server: ${e.message}\n`); else res.destroy(); });
    req.pipe(upstream);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => { log(`front door: ${e.message}`); if (!res.headersSent) res.writeHead(502).end(); else res.destroy(); });
  });
  // WebSockets (the workbench's connection to its server): the same checks, then the bytes both ways.
  server.on('upgrade', (req, socket, head) => {
    const why = refusal(req.headers, port);
    if (why) {
      log(`refused upgrade ${req.url}: ${why}`);
      socket.end(`HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n`);
      return;
    }
    const upstream = connect(socketPath, () => {
      const headers = forwardedHeaders(req.headers);
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${x}`))];
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head?.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const close = () => { socket.destroy(); upstream.destroy(); };
    upstream.on('error', close);
    socket.on('error', close);
    socket.on('close', close);
    upstream.on('close', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
