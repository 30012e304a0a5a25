/** Test helpers: the committed demo registry files as plain objects, and a fresh store + registry. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ServiceRegistry } from '../../../src/services/registry.js';
import { fixedClock, type Clock } from '../../../src/shared/clock.js';
import { createStore } from '../../../src/session/store/index.js';
import type { Store } from '../../../src/session/store/store.js';

export const SAMPLE_DIR = 'config/services';
export const SAMPLE_IDS = ['demo-oidc', 'demo-saml', 'demo-soap'] as const;
export type SampleId = (typeof SAMPLE_IDS)[number];

/** A fresh deep copy of a sample file's content (safe to mutate). */
export function sample(id: SampleId): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- tests mutate arbitrary paths of YAML data
  return parse(readFileSync(`${SAMPLE_DIR}/${id}.yaml`, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- see above
}

/** A draft copy of a sample, the way an application starts in the console. */
export function draft(id: SampleId, newId = `${id}-app`): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- see above
  const s = sample(id);
  s.id = newId;
  s.state = 'draft';
  return s;
}

export function newRegistry(clock: Clock = fixedClock('2026-11-20T08:00:00Z')): { store: Store; registry: ServiceRegistry } {
  const store = createStore({});
  return { store, registry: new ServiceRegistry(store, clock) };
}
