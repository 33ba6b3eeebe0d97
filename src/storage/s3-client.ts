import { createHash, createHmac } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

/**
 * A small S3 client: AWS Signature Version 4 over node:http(s), for the handful of calls the
 * document store makes (PUT, GET, DELETE an object; list a bucket). It works with AWS S3 and
 * the S3-compatible services (Ceph RGW, MinIO, Scaleway, OVH, …). Bodies stream both ways.
 */
export type S3Settings = {
  /** e.g. https://s3.fr-par.scw.cloud or http://127.0.0.1:9000 */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Bucket in the path (https://host/bucket/key) rather than in the host name (https://bucket.host/key). */
  forcePathStyle: boolean;
};

export type S3Failure = 'unreachable' | 'credentials' | 'no_bucket' | 'denied' | 'failed';

/** The S3 service answered with an error, or could not be reached; `failure` says which kind. */
export class S3Error extends Error {
  constructor(
    readonly failure: S3Failure,
    message: string,
    readonly status?: number,
    readonly s3Code?: string,
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

const TIMEOUT_MS = 30_000;

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

export type S3Request = {
  method: 'GET' | 'PUT' | 'DELETE' | 'HEAD';
  /** The object key, or undefined for a call on the bucket. */
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Bytes (signed by their hash) or a stream of `size` bytes (sent as UNSIGNED-PAYLOAD). */
  body?: Uint8Array | { stream: Readable; size: number };
};

export class S3Client {
  private readonly base: URL;
  constructor(readonly settings: S3Settings) {
    this.base = new URL(settings.endpoint);
  }

  /** Where the bucket lives, for messages. */
  describe(): string {
    return `s3://${this.settings.bucket} at ${this.base.origin}`;
  }

  private urlOf(key: string | undefined, query: Record<string, string>): URL {
    const { bucket, forcePathStyle } = this.settings;
    const url = new URL(this.base.origin);
    const basePath = this.base.pathname.replace(/\/+$/, '');
    const keyPath = key === undefined ? '' : key.split('/').map(enc).join('/');
    if (forcePathStyle) {
      url.pathname = key === undefined ? `${basePath}/${enc(bucket)}` : `${basePath}/${enc(bucket)}/${keyPath}`;
    } else {
      url.hostname = `${bucket}.${url.hostname}`;
      url.pathname = `${basePath}/${keyPath}`;
    }
    url.search = Object.keys(query)
      .sort()
      .map((k) => `${enc(k)}=${enc(query[k] ?? '')}`)
      .join('&');
    return url;
  }

  /** Signs the request (SigV4, header form) and returns the headers to send. */
  private sign(method: string, url: URL, headers: Record<string, string>, payloadHash: string, now: Date): Record<string, string> {
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const all: Record<string, string> = { ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()])), host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
    const names = Object.keys(all).sort();
    const canonicalHeaders = names.map((n) => `${n}:${all[n]}\n`).join('');
    const signedHeaders = names.join(';');
    // url.search is already in canonical form: sorted keys, RFC 3986 encoding.
    const canonicalRequest = [method, url.pathname, url.search.slice(1), canonicalHeaders, signedHeaders, payloadHash].join('\n');
    const scope = `${day}/${this.settings.region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
    const kDate = hmac(`AWS4${this.settings.secretAccessKey}`, day);
    const kSigning = hmac(hmac(hmac(kDate, this.settings.region), 's3'), 'aws4_request');
    const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
    return { ...all, authorization: `AWS4-HMAC-SHA256 Credential=${this.settings.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
  }

  /**
   * Sends one signed request and returns the response with its body unread (a stream), when its
   * status is below 300 or among `accept`; otherwise reads the error document and throws S3Error.
   */
  async send(req: S3Request, accept: number[] = []): Promise<IncomingMessage> {
    const url = this.urlOf(req.key, req.query ?? {});
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    let payloadHash = sha256('');
    let bytes: Uint8Array | undefined;
    let stream: Readable | undefined;
    if (req.body instanceof Uint8Array) {
      bytes = req.body;
      payloadHash = sha256(bytes);
      headers['content-length'] = String(bytes.byteLength);
    } else if (req.body) {
      stream = req.body.stream;
      payloadHash = 'UNSIGNED-PAYLOAD';
      headers['content-length'] = String(req.body.size);
    } else if (req.method === 'PUT') {
      headers['content-length'] = '0';
    }
    const signed = this.sign(req.method, url, headers, payloadHash, new Date());
    const transport = url.protocol === 'https:' ? https : http;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = transport.request(url, { method: req.method, headers: signed, timeout: TIMEOUT_MS }, resolve);
      r.once('timeout', () => r.destroy(Object.assign(new Error(`no answer within ${TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
      r.once('error', (err: NodeJS.ErrnoException) => {
        stream?.unpipe(r);
        reject(new S3Error('unreachable', `The S3 storage ${this.describe()} cannot be reached (${err.code ?? err.message}). Check S3_ENDPOINT and the network.`));
      });
      if (stream) {
        stream.once('error', (err) => r.destroy(err));
        stream.pipe(r);
      } else r.end(bytes);
    });
    const status = res.statusCode ?? 0;
    if (status < 300 || accept.includes(status)) return res;
    // Refused (possibly before the whole body was sent): let go of what was being uploaded.
    stream?.destroy();
    throw await this.errorOf(res, req);
  }

  private async errorOf(res: IncomingMessage, req: S3Request): Promise<S3Error> {
    let text = '';
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (text.length < 8192) text += chunk.toString('utf8');
    }
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    const status = res.statusCode ?? 0;
    const where = this.describe();
    if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'InvalidToken' || code === 'ExpiredToken') {
      return new S3Error('credentials', `The S3 storage ${where} refused the credentials (${code}). Check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY.`, status, code);
    }
    if (code === 'NoSuchBucket' || (status === 404 && req.key === undefined)) {
      return new S3Error('no_bucket', `The bucket ${this.settings.bucket} does not exist at ${this.base.origin}. Create it, or correct S3_BUCKET.`, status, code);
    }
    if (status === 403) {
      return new S3Error('denied', `The S3 storage ${where} denied ${req.method} ${req.key ?? '(bucket)'} (${code ?? 'AccessDenied'}). Give the access key read, write, list and delete rights on the bucket.`, status, code);
    }
    return new S3Error('failed', `The S3 storage ${where} answered ${status}${code ? ` ${code}` : ''} to ${req.method} ${req.key ?? '(bucket)'}.`, status, code);
  }

  /**
   * Every key under `prefix`, in key order, page by page (ListObjectsV2). Pages follow each other
   * by `start-after` (the last key seen), which every S3-compatible service supports alike.
   */
  async *list(prefix: string, pageSize = 1000): AsyncGenerator<string> {
    let after: string | undefined;
    for (;;) {
      const query: Record<string, string> = { 'list-type': '2', prefix, 'max-keys': String(pageSize) };
      if (after !== undefined) query['start-after'] = after;
      const res = await this.send({ method: 'GET', query });
      let xml = '';
      for await (const chunk of res as AsyncIterable<Buffer>) xml += chunk.toString('utf8');
      for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) {
        after = decodeXml(m[1] ?? '');
        yield after;
      }
      if (!/<IsTruncated>true<\/IsTruncated>/.test(xml) || after === undefined) return;
    }
  }
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]!;
    return String.fromCodePoint(e[1]?.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}
