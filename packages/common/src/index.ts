export * from './atomic-file.ts';
export * from './config.ts';
export * from './duration.ts';
export * from './health.ts';
export * from './log.ts';
export * from './shutdown.ts';
export * from './startup.ts';
export * from './volume.ts';
