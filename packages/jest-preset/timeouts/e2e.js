// Jest reads testTimeout only from the global config, not per project: projects set it here.
jest.setTimeout(180_000);
