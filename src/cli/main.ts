import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config.ts';
import { DataDirLockedError } from '../db/lock.ts';
import { startServer } from '../server.ts';

const program = new Command('icat').description('ICAT Platform command line').showHelpAfterError();

program
  .command('serve')
  .description('start the web server (migrates and creates demo content on first start)')
  .action(async () => {
    const config = loadConfig();
    const started = performance.now();
    const server = await startServer(config, {
      onFirstStart: (lines) => {
        process.stdout.write(`\n${lines.join('\n')}\n\n`);
      },
    });
    process.stdout.write(`ICAT Platform is running at ${server.url} (ready in ${Math.round(performance.now() - started)} ms)\n`);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
