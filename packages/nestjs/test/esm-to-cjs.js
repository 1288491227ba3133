// A jest transform for NestJS 11+, which ships ES modules only: jest on Node 20 cannot load ES
// modules from CommonJS, so each file is compiled to CommonJS (dynamic import() becomes
// require, import.meta.url the file's URL). Used for node_modules/@nestjs by jest.config.js.
'use strict';
const { createHash } = require('node:crypto');
const ts = require('typescript');

const options = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  allowJs: true,
  esModuleInterop: true,
  sourceMap: false,
};

module.exports = {
  getCacheKey(source, path) {
    return createHash('sha1').update(`esm-to-cjs 1 ${ts.version}\0${path}\0${source}`).digest('hex');
  },
  process(source, path) {
    if (!/^\s*(import|export)\b/m.test(source)) return { code: source };
    const withUrl = source.replace(/\bimport\.meta\.url\b/g, "require('node:url').pathToFileURL(__filename).href");
    const { outputText } = ts.transpileModule(withUrl, { compilerOptions: options, fileName: path });
    return { code: outputText };
  },
};
