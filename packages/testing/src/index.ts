export * from './containers.ts';
export * from './git-repos.ts';
export * from './git-server.ts';
export * from './http.ts';
export * from './images.ts';
export * from './podman.ts';
export * from './service-process.ts';
export * from './temp-dir.ts';
