import type {
  DestinationDefinition,
  MappingDefinition,
  ParserDefinition,
  SourceDefinition,
  ValidatorDefinition,
} from './define.js';
import { sources } from '../sources/index.js';
import { destinations } from '../destinations/index.js';
import { parsers } from '../steps/parsers/index.js';
import { validators } from '../steps/validators/index.js';
import { mappings } from '../../mappings/index.js';

/** Everything a channel file can name, gathered from one list per folder. No switch over types anywhere. */
export interface Registry {
  sources: SourceDefinition[];
  destinations: DestinationDefinition[];
  parsers: ParserDefinition[];
  validators: ValidatorDefinition[];
  mappings: MappingDefinition[];
}

export const registry: Registry = {
  sources: sources as SourceDefinition[],
  destinations: destinations as DestinationDefinition[],
  parsers: parsers as ParserDefinition[],
  validators: validators as ValidatorDefinition[],
  mappings: mappings as MappingDefinition[],
};

function find<T>(list: T[], key: (t: T) => string, name: string, what: string): T {
  const found = list.find((t) => key(t) === name);
  if (!found) throw new Error(`unknown ${what} "${name}" (known: ${list.map(key).join(', ')})`);
  return found;
}

export const sourceOf = (r: Registry, type: string) => find(r.sources, (s) => s.type, type, 'source type');
export const destinationOf = (r: Registry, type: string) => find(r.destinations, (d) => d.type, type, 'destination type');
export const parserOf = (r: Registry, format: string) => find(r.parsers, (p) => p.format, format, 'parse format');
export const validatorOf = (r: Registry, type: string) => find(r.validators, (v) => v.type, type, 'validator type');
export const mappingOf = (r: Registry, name: string) => find(r.mappings, (m) => m.name, name, 'mapping');
