import { Command, CommanderError } from 'commander';
import { registerCoordinationCommands } from './coordination.ts';
import { registerDatabaseCommands } from './database.ts';
import { registerExportCommands } from './export.ts';
import { registerIatiCommands } from './iati.ts';
import { registerImportCommands } from './import.ts';
import { registerOpenApiCommand } from './openapi.ts';
import { registerReferenceCommands } from './reference.ts';
import { describeFailure, EXIT, note } from './runtime.ts';
import { registerServeCommand } from './serve.ts';
import { registerTokenCommands } from './tokens.ts';
import { registerUserCommands } from './users.ts';

// The icat command. Each command parses its input, calls domain functions (as the system
// administrator, or as a person with --as) and prints the result; it holds no SQL.
const program = new Command('icat')
  .description('ICAT Platform command line. Settings come from the environment (see README).')
  .option('--as <email>', 'act as this person instead of the system administrator')
  .showHelpAfterError()
  .exitOverride();

registerServeCommand(program);
registerDatabaseCommands(program);
registerUserCommands(program);
registerTokenCommands(program);
registerReferenceCommands(program);
registerIatiCommands(program);
registerImportCommands(program);
registerExportCommands(program);
registerCoordinationCommands(program);
registerOpenApiCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version end with code 0; a usage error is invalid input.
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.invalid);
  }
  const { message, exitCode } = describeFailure(err);
  note(message);
  process.exit(exitCode);
}
