// Shared by the teaching-view tests: fixture scripts from disk (the web bundle imports them).
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../fixtures/kernel/', import.meta.url);

export function fixtureScript(name: string): string {
  return readFileSync(new URL(`${name}.script`, FIXTURES), 'utf8');
}
