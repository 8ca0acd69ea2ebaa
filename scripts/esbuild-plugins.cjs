// esbuild plugins for the Lambda bundles: serverless.yml `custom.esbuild.plugins` names this file,
// and local/bundle.ts loads it too, so tests and benchmarks bundle exactly as `serverless package`.
// CommonJS because serverless-esbuild require()s it.
'use strict';

const { readFile } = require('node:fs/promises');

/** The schema tables of the AWS SDK's clients (one array per shape and operation). */
const SDK_SCHEMAS = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * The SDK's schema tables write their traits with computed keys of module constants:
 * `const _h = "http"; … { [_h]: ["GET", "/", 200] }`. esbuild must assume a computed key can run
 * code (a key's toString), so it keeps every table, used or not: S3's 67 KB of schemas for a
 * function that sends two of its ~100 operations. Writing each such key as the string it names,
 * `{ "http": … }`, is the same object, and lets esbuild drop the unused tables.
 * Keys whose name is not a string constant of the module are left as they are; the test checks that
 * none are left in the clients the functions use, so a change of the SDK's layout shows.
 */
function literalSchemaKeys(source) {
  const strings = new Map();
  // Only names that make plain keys ("http", "xmlName"): never "__proto__", which as a literal key sets the prototype.
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[A-Za-z_$][\w$]*");$/gm)) if (literal !== '"__proto__"') strings.set(name, literal);
  return source.replace(/([{,]\s*)\[(_\w+)\]:/g, (whole, before, name) => (strings.has(name) ? `${before}${strings.get(name)}:` : whole));
}

const sdkSchemaTreeShaking = {
  name: 'callnotes-sdk-schema-tree-shaking',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMAS }, async ({ path }) => ({ contents: literalSchemaKeys(await readFile(path, 'utf8')), loader: 'js' }));
  },
};

/** The package.json files of the SDK's packages, which their runtime configs import for the version alone. */
const SDK_PACKAGE_JSON = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/;

/**
 * Each SDK client imports its whole package.json (`import packageInfo from "../package.json"`)
 * and reads `packageInfo.version` for the user agent, nothing else; a default import of JSON keeps
 * every field (about 2.5 KB a client). Only the name and version are bundled.
 */
const sdkPackageVersion = {
  name: 'callnotes-sdk-package-version',
  setup(build) {
    build.onLoad({ filter: SDK_PACKAGE_JSON }, async ({ path }) => {
      const { name, version } = JSON.parse(await readFile(path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

module.exports = [sdkSchemaTreeShaking, sdkPackageVersion];
module.exports.literalSchemaKeys = literalSchemaKeys;
