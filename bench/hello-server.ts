// The HTTP ceiling: the same framework and server adapter answering a constant, with no
// database, templates or middleware. Every HTTP figure is reported as a ratio to this one.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.text('Hello, world'));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, () => {
  process.stdout.write('ready\n');
});
