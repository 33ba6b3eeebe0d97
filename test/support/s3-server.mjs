// A real S3-compatible server for the tests, in its own process: s3rver checks every request's
// AWS Signature Version 4. Run with --openssl-legacy-provider: its list continuation tokens use
// DES, which OpenSSL 3 keeps in the legacy provider.
// Usage: node --openssl-legacy-provider s3-server.mjs <directory> <bucket>... ; prints the port.
import S3rver from '@20minutes/s3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })), allowMismatchedSignatures: false });
server.run().then(
  ({ port }) => process.stdout.write(`${port}\n`),
  (err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
