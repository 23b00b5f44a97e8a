/**
 * The services of docker-compose.yml that run our image, as Compose would start them: merge keys
 * (`<<: *app`) resolved, `${VAR:-default}` interpolated, and the one-shot services (those another
 * waits on with `service_completed_successfully`, e.g. `migrate`) told apart from the long-running ones.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const serviceSchema = z.object({
  build: z.unknown().optional(),
  command: z.array(scalar).optional(),
  environment: z.union([z.record(z.string(), scalar.nullable()), z.array(z.string())]).optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string().optional() }))]).optional(),
});

const composeSchema = z.object({ services: z.record(z.string(), serviceSchema) });

export interface ComposeService {
  name: string;
  command: string[];
  environment: Record<string, string>;
  /** True when another service waits for this one to exit 0 before it starts. */
  oneShot: boolean;
}

/** Compose's interpolation: `$$`, `${VAR}`, `${VAR:-default}` and `${VAR-default}` from `variables`. */
function interpolate(value: string, variables: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}/g, (match, name: string | undefined, operator: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const found = variables[name!];
    if (operator === ':-') return found ? found : (fallback ?? '');
    if (operator === '-') return found ?? fallback ?? '';
    return found ?? '';
  });
}

/**
 * Reads the services built from this repository (those with `build`), in start order: one-shots
 * first. `variables` stands for the shell and `.env` Compose would interpolate from (none: the defaults).
 */
export async function readComposeServices(file: string, variables: Record<string, string | undefined> = {}): Promise<ComposeService[]> {
  // `merge: true` resolves YAML 1.1 merge keys, which Compose files use for shared blocks.
  const compose = composeSchema.parse(parse(await readFile(file, 'utf8'), { merge: true }));
  const awaited = new Set(
    Object.values(compose.services).flatMap((service) =>
      Array.isArray(service.depends_on) || !service.depends_on
        ? []
        : Object.entries(service.depends_on)
            .filter(([, dependency]) => dependency.condition === 'service_completed_successfully')
            .map(([name]) => name),
    ),
  );
  const ours = Object.entries(compose.services)
    .filter(([, service]) => service.build !== undefined)
    .map(([name, service]): ComposeService => {
      if (!service.command) throw new Error(`docker-compose.yml: service ${name} has no command of its own`);
      const entries = Array.isArray(service.environment)
        ? service.environment.map((item) => {
            const at = item.indexOf('=');
            return at < 0 ? [item, ''] : [item.slice(0, at), item.slice(at + 1)];
          })
        : Object.entries(service.environment ?? {}).map(([key, value]) => [key, value ?? '']);
      return {
        name,
        command: service.command.map((word) => interpolate(word, variables)),
        environment: Object.fromEntries(entries.map(([key, value]) => [key!, interpolate(value!, variables)])),
        oneShot: awaited.has(name),
      };
    });
  return [...ours.filter((s) => s.oneShot), ...ours.filter((s) => !s.oneShot)];
}
