import Module, { createRequire } from 'node:module';

/**
 * Imported by dockerode-engine.ts before dockerode: puts placeholders in the module cache for
 * the two parts of dockerode the update service never runs, so they are not loaded.
 *
 * - docker-modem's ssh transport (`ssh2`, for DOCKER_HOST=ssh://…): the engine talks to the
 *   socket of PA_DOCKER_SOCKET only. ssh2 instantiates a WebAssembly module at load.
 * - dockerode's BuildKit session (`@grpc/grpc-js`, protobufjs), used only by buildImage.
 *
 * Together ~170 modules and ~10 MB of idle RSS. Either placeholder throws if it is ever reached.
 */
function placeholder(from: string, id: string, exports: unknown): void {
  const file = createRequire(from).resolve(id);
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = exports;
  require.cache[file] = m;
}

const unused = (what: string) => () => {
  throw new Error(`the update service does not load ${what}`);
};

const dockerode = require.resolve('dockerode');
const modem = createRequire(dockerode).resolve('docker-modem');
placeholder(modem, 'ssh2', {
  Client: class {
    constructor() {
      unused("docker-modem's ssh transport (ssh2)")();
    }
  },
});
placeholder(dockerode, './session', unused("dockerode's BuildKit session (grpc)"));
