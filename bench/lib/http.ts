import http from 'node:http'

/** One answer, body read in full. */
export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  /** The body parsed as JSON (throws on a non-JSON body). */
  json<T = any>(): T
  text(): string
}

export interface RequestOptions {
  json?: unknown
  body?: Buffer | string
  headers?: Record<string, string>
  /** Give up on an answer after this long (default 30 s), so a hung server cannot stall a bounded run. */
  timeoutMs?: number
}

/** A request that got no answer in time. */
export class RequestTimeout extends Error {}

/**
 * A keep-alive HTTP/1.1 client for the loopback server under test. node:http rather than fetch:
 * it costs the load generator less CPU per request, which matters when generator and server
 * share two cores.
 */
export class HttpClient {
  readonly agent: http.Agent
  private readonly host: string
  private readonly port: number

  constructor(readonly baseUrl: string, maxSockets = 64) {
    const u = new URL(baseUrl)
    if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost' && u.hostname !== '::1') throw new Error(`benchmarks run on loopback only, not ${u.hostname}`)
    this.host = u.hostname
    this.port = Number(u.port || 80)
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets })
  }

  request(method: string, path: string, opts: RequestOptions = {}, cookie?: string): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
    let payload: Buffer | undefined
    if (opts.json !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.json))
      headers['content-type'] = 'application/json'
    } else if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body
    }
    if (payload) headers['content-length'] = String(payload.length)
    if (cookie) headers.cookie = cookie
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString('utf8')),
            text: () => body.toString('utf8'),
          })
        })
      })
      const timeoutMs = opts.timeoutMs ?? 30_000
      req.setTimeout(timeoutMs, () => req.destroy(new RequestTimeout(`${method} ${path}: no answer within ${timeoutMs / 1000}s`)))
      req.on('error', reject)
      req.end(payload)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/** An error carrying the answer that was not what the benchmark expected. */
export class UnexpectedAnswer extends Error {
  constructor(readonly what: string, readonly answer: Answer) {
    super(`${what}: HTTP ${answer.status} ${answer.body.toString('utf8').slice(0, 400)}`)
  }
}

/** A signed-in (or anonymous) user: the client plus its session cookie. */
export class Session {
  cookie: string | undefined

  constructor(readonly client: HttpClient, readonly label = 'anonymous') {}

  async call(method: string, path: string, opts: RequestOptions = {}): Promise<Answer> {
    const a = await this.client.request(method, path, opts, this.cookie)
    const set = a.headers['set-cookie']
    if (set) {
      for (const c of set) {
        const m = /^yw_session=([^;]*)/.exec(c)
        if (m) this.cookie = m[1] ? `yw_session=${m[1]}` : undefined
      }
    }
    return a
  }

  get(path: string, opts?: RequestOptions) {
    return this.call('GET', path, opts)
  }
  post(path: string, json?: unknown, opts: RequestOptions = {}) {
    return this.call('POST', path, json === undefined ? opts : { ...opts, json })
  }

  /** Calls and insists on a 2xx answer, returning its JSON body. */
  async ok<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const a = await this.call(method, path, opts)
    if (a.status < 200 || a.status >= 300) throw new UnexpectedAnswer(`${this.label} ${method} ${path}`, a)
    return a.body.length ? a.json<T>() : (undefined as T)
  }

  /** Signs in with a password; the session cookie is kept for later calls. */
  async login(username: string, password: string): Promise<this> {
    await this.ok('POST', '/api/auth/login/password', { json: { username, password } })
    if (!this.cookie) throw new Error(`login as ${username} set no session cookie`)
    return this
  }
}
