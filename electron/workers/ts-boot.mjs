// Worker entry used when the app runs from TypeScript sources (tests, tsx): registers
// tsx's loader inside the worker, because Node 20 does not pass a parent's module hooks
// to worker threads, then loads the real worker module.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.__workerEntry);
