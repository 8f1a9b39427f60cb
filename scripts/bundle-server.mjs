// Bundles the standalone server (tsc's dist/src/main.js, moved to server.js, and everything it
// imports, packages included) into dist/src/server.bundle.js, and makes dist/src/main.js a loader
// of it: Node then reads and compiles one file at start instead of ~2,000 modules, which cost
// most of a second. The library (dist/src/index.js) stays tsc's output.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'dist/src/main.js');
const entry = join(root, 'dist/src/server.js');
const outfile = join(root, 'dist/src/server.bundle.js');
// Loaded from disk at run time: native addons, WASM with files beside it, the docs' static assets
// found by path. An external must be imported dynamically where it is optional: a static import of
// one is hoisted to the bundle's top and loaded at every start.
const EXTERNAL = ['@electric-sql/*', 'onnxruntime-node', 'swagger-ui-dist', 'pg-native', 'tsx'];

/** Optional packages Nest, TypeORM and others probe for and that are not installed stay `require`s that fail as they would unbundled. */
const missingAsExternal = {
  name: 'missing-as-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      try {
        createRequire(join(args.resolveDir, 'x.js')).resolve(args.path);
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};

/** Our own modules find files beside them (worker entry, dashboard files): keep each one's own URL. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /[/\\]dist[/\\]src[/\\].*\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      let contents = await readFile(args.path, 'utf8');
      if (contents.includes('import.meta.url')) {
        const rel = relative(dirname(outfile), args.path).split('\\').join('/');
        contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${rel}`)}, import.meta.url).href`);
      }
      return { contents, loader: 'js' };
    });
  },
};

/**
 * TypeORM's DriverFactory requires every driver it knows (MySQL, SQL Server, Oracle, SAP, Spanner,
 * SQLite…) at load: ~600 KB the server would parse and run at each start for PostgreSQL alone.
 * Here each other driver is a class that says so if anyone ever constructs it.
 */
const postgresDriverOnly = {
  name: 'postgres-driver-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/[a-z0-9-]+\/[A-Za-z0-9]+Driver$/ }, (args) => {
      if (!/[/\\]typeorm[/\\]driver[/\\]DriverFactory\.js$/.test(args.importer) || args.path === './postgres/PostgresDriver') return undefined;
      return { path: args.path.split('/').pop(), namespace: 'absent-typeorm-driver' };
    });
    build.onLoad({ filter: /.*/, namespace: 'absent-typeorm-driver' }, (args) => ({
      contents: `exports.${args.path} = class ${args.path} { constructor() { throw new Error('the ModelMora server bundles TypeORM for PostgreSQL only, not ${args.path}'); } };`,
      loader: 'js',
    }));
  },
};

/**
 * esbuild leaves non-ASCII characters of regular expression literals as they are (validator's
 * alphabets): one such character makes Node decode the 7 MB bundle as UTF-8 into a two-byte
 * string at every start (~60 ms). Escaped, the file is ASCII and reads as one-byte Latin-1.
 */
function asciiOnly(code) {
  // Per UTF-16 unit: an astral character becomes its surrogate pair, which both regex modes read as the one character.
  return code.replace(/[^\x00-\x7f]/g, (u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const LOADER_MARK = '// modelmora: server loader';
// Node ≥ 22.1 caches the compiled bundle on disk (a warm start skips compiling it); Node 20 has no such API.
const LOADER = `${LOADER_MARK} (written by scripts/bundle-server.mjs; tsc's main.js is server.js)
import module from 'node:module';
module.enableCompileCache?.();
// The embedded database opens while the bundle loads (see server-prestart.ts).
(await import('./server-prestart.js')).prestartFromEnv();
await import('./server.bundle.js');
`;

/** After tsc: dist/src/main.js → server.js, bundled into server.bundle.js; main.js becomes its loader. */
export async function bundleServer() {
  if (!readFileSync(main, 'utf8').startsWith(LOADER_MARK)) renameSync(main, entry);
  if (!existsSync(entry)) throw new Error('bundle-server: build dist/ first (npm run build)');
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    keepNames: true, // Nest and our logs read class names
    // Whitespace and syntax only: names stay, for stack traces and Nest.
    minifyWhitespace: true,
    minifySyntax: true,
    external: EXTERNAL,
    plugins: [missingAsExternal, ownImportMetaUrl, postgresDriverOnly],
    // The CommonJS packages inside call require() for Node's built-ins and the external packages.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    logLevel: 'warning',
    legalComments: 'none',
  });
  writeFileSync(outfile, asciiOnly(readFileSync(outfile, 'utf8')));
  writeFileSync(main, LOADER);
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t = Date.now();
  await bundleServer();
  console.error(`bundle-server: ${relative(root, outfile)} in ${Date.now() - t} ms`);
}
