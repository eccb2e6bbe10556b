// Worker bootstrap: worker threads start as plain Node, so register tsx's TypeScript loader (the same one
// the npm scripts run under) before loading the TypeScript worker. Works under tsx, vitest and plain node.
import { register } from 'tsx/esm/api';

register();
await import('./partition-worker.ts');
