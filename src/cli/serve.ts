import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { out } from './runtime.ts';

/** serve: the web server (migrates and creates demo content on first start). */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the web server (migrates, and creates demo content on first start)')
    .action(async () => {
      const config = loadConfig();
      const started = performance.now();
      // Loaded here so that the other commands do not load the web application.
      const { startServer } = await import('../server.ts');
      const server = await startServer(config, {
        onFirstStart: (lines) => {
          process.stdout.write(`\n${lines.join('\n')}\n\n`);
        },
      });
      out(`ICAT Platform is running at ${server.url} (ready in ${Math.round(performance.now() - started)} ms)`);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
