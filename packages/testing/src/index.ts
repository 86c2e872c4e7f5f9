export * from './http.ts';
export * from './service-process.ts';
export * from './temp-dir.ts';
