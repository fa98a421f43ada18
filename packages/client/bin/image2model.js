#!/usr/bin/env node
// The `image2model` command. npm links a bin only if its file exists at install time, and in a
// fresh clone of the repository dist/ does not exist until the first build: this file is in the
// source tree so the link is always made, and it loads the built CLI (which runs on import).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('image2model: the CLI is not built yet. In the Image2Model repository, run `npm run build` (or `npm start`, which builds first), then try again.\n');
  process.exit(1);
}
await import(cli.href);
