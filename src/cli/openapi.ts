import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT, out } from './runtime.ts';

/** The committed OpenAPI document; a test fails when it differs from the code. */
export const OPENAPI_FILE = path.resolve(import.meta.dirname, '../../openapi/openapi.json');

/** The OpenAPI 3.1 document generated from the API's zod schemas, as committed (2-space JSON). */
export async function renderOpenApi(): Promise<string> {
  // Loaded here so that the other commands do not load the web application.
  const { buildApi, openApiDocument } = await import('../http/api/index.ts');
  return `${JSON.stringify(openApiDocument(buildApi()), null, 2)}\n`;
}

/** openapi [--write | --check] */
export function registerOpenApiCommand(program: Command): void {
  program
    .command('openapi')
    .description(`print the OpenAPI document, write it to ${path.relative(process.cwd(), OPENAPI_FILE) || OPENAPI_FILE} (--write), or check that file (--check)`)
    .option('--write', 'write the committed document')
    .option('--check', 'fail when the committed document differs from the code')
    .action(async (opts: { write?: boolean; check?: boolean }) => {
      const fresh = await renderOpenApi();
      if (opts.write) {
        fs.mkdirSync(path.dirname(OPENAPI_FILE), { recursive: true });
        const before = fs.existsSync(OPENAPI_FILE) ? fs.readFileSync(OPENAPI_FILE, 'utf8') : '';
        fs.writeFileSync(OPENAPI_FILE, fresh);
        out(before === fresh ? `${OPENAPI_FILE} is up to date.` : `Wrote ${OPENAPI_FILE}.`);
      } else if (opts.check) {
        const committed = fs.existsSync(OPENAPI_FILE) ? fs.readFileSync(OPENAPI_FILE, 'utf8') : '';
        if (committed !== fresh) throw new CliError(`${OPENAPI_FILE} is stale: run \`npm run openapi\` and commit the result.`, EXIT.failure);
        out(`${OPENAPI_FILE} matches the code.`);
      } else {
        process.stdout.write(fresh);
      }
    });
}
