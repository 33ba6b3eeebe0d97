import { Command, CommanderError } from 'commander';
import { describeFailure, EXIT, note } from './runtime.ts';

// The icat command. Each command parses its input, calls domain functions (as the system
// administrator, or as a person with --as) and prints the result; it holds no SQL.
const program = new Command('icat')
  .description('ICAT Platform command line. Settings come from the environment (see README).')
  .option('--as <email>', 'act as this person instead of the system administrator')
  .showHelpAfterError()
  .exitOverride();

type Register = (program: Command) => void;
/**
 * Each command group's module, loaded only when that group runs: a command starts without
 * loading the web server, the OpenAPI document or the other groups (help loads them all).
 * Listed in the order help shows them.
 */
const GROUPS: { commands: string[]; load: () => Promise<Register> }[] = [
  { commands: ['serve'], load: async () => (await import('./serve.ts')).registerServeCommand },
  { commands: ['migrate', 'seed', 'backup', 'restore'], load: async () => (await import('./database.ts')).registerDatabaseCommands },
  { commands: ['user'], load: async () => (await import('./users.ts')).registerUserCommands },
  { commands: ['token'], load: async () => (await import('./tokens.ts')).registerTokenCommands },
  { commands: ['reference'], load: async () => (await import('./reference.ts')).registerReferenceCommands },
  { commands: ['import'], load: async () => (await import('./iati.ts')).registerIatiCommands },
  { commands: ['import'], load: async () => (await import('./import.ts')).registerImportCommands },
  { commands: ['export'], load: async () => (await import('./export.ts')).registerExportCommands },
  { commands: ['coordination'], load: async () => (await import('./coordination.ts')).registerCoordinationCommands },
  { commands: ['alerts'], load: async () => (await import('./alerts.ts')).registerAlertCommands },
  { commands: ['search'], load: async () => (await import('./search.ts')).registerSearchCommands },
  { commands: ['openapi'], load: async () => (await import('./openapi.ts')).registerOpenApiCommand },
];

/** The command named on the command line (the first word that is not an option or --as's value). */
function commandName(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--as') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

const named = commandName(process.argv.slice(2));
const wanted = GROUPS.filter((g) => named !== undefined && g.commands.includes(named));
for (const g of wanted.length > 0 ? wanted : GROUPS) (await g.load())(program);

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
