#!/usr/bin/env node
// Runs the TypeScript command line through tsx, so `npx prazo` works without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
