import { setFlagsFromString } from 'node:v8';

/**
 * `@pa-connector/service-runtime/young-generation`, imported first by the main.ts of update and
 * pop-manager (before anything else loads, since V8 grows its young generation from
 * the first allocations on): keeps the young generation at V8's initial size instead of letting
 * it grow to 16 MB.
 *
 * Starting a service (a thousand modules compiled, schemas built) allocates fast enough that V8
 * grows the young generation to its maximum, and it stays committed for the life of the process:
 * ~8-14 MB of RSS per service that an idle service never uses again. These two allocate little
 * per second once started, so more frequent scavenges cost them nothing that matters.
 *
 * Not the connector nor logging, whose throughput is their job: with the young generation pinned
 * a data-path run gave the connector fewer new connections per second, and log-pipeline runs gave
 * logging fewer lines per second (noisy, see bench/README.md, pop-start); neither trades that
 * for a few MB.
 *
 * Set here rather than as a command-line flag so that every way a service is started (the
 * images, compose, the native stack, tests that run a built service) gets the same heap.
 */
setFlagsFromString('--semi-space-growth-factor=1');
