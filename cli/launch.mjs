// The CLI's entry point as ./passeport runs it: compiled JavaScript (one esbuild bundle
// with a chunk per subcommand family), rebuilt first whenever a source it was built from
// changed, so what runs is always what is in the tree. Plain JavaScript because it must
// run before anything is compiled.
//
//   node cli/launch.mjs ARGS...        run the CLI (building when stale)
//   node cli/launch.mjs --build-only   (re)build unconditionally, run nothing
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT_DIR = path.join(ROOT, 'dist', 'cli');
const MANIFEST = path.join(OUT_DIR, 'manifest.json');
/** Files besides the sources whose change must rebuild: the build itself and the installed packages. */
const BUILD_INPUTS = ['cli/launch.mjs', 'package-lock.json', 'tsconfig.json'];

/** The manifest of the last build, or null when it is missing or older than one of its inputs. */
function freshManifest() {
  let manifest;
  let builtAt;
  try {
    manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
    builtAt = fs.statSync(MANIFEST).mtimeMs;
  } catch {
    return null;
  }
  for (const input of [...manifest.inputs, ...BUILD_INPUTS]) {
    let stat;
    try {
      stat = fs.statSync(path.join(ROOT, input));
    } catch {
      return null;
    }
    if (stat.mtimeMs >= builtAt) return null;
  }
  return manifest;
}

/**
 * Keeps each source module's own location for import.meta: modules that find files beside
 * them (migrations, workflows, web assets) find them in the tree, not under dist/.
 */
const sourceLocation = {
  name: 'source-location',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      if (!source.includes('import.meta')) return { contents: source, loader: 'ts' };
      const contents = source
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: 'ts' };
    });
  },
};

/** Builds into dist/cli; every file is written under a new name then renamed, so a concurrent run never reads half a build. */
async function build() {
  const esbuild = await import('esbuild');
  const startedAt = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['cli/main.ts'],
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [sourceLocation],
  });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const file of result.outputFiles) {
    // Names carry a content hash: an existing file of that name already holds these bytes.
    if (fs.existsSync(file.path)) continue;
    const tmp = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, file.contents);
    fs.renameSync(tmp, file.path);
  }
  const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === 'cli/main.ts')[0];
  const inputs = Object.keys(result.metafile.inputs).filter((i) => !i.startsWith('node_modules/'));
  const manifest = { entry: path.relative(OUT_DIR, path.join(ROOT, entry)), inputs };
  const tmp = `${MANIFEST}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(manifest, null, 1));
  // The manifest's time says when the build started: a source saved during the build makes it stale.
  fs.utimesSync(tmp, new Date(startedAt), new Date(startedAt));
  fs.renameSync(tmp, MANIFEST);
  removeOldOutputs(new Set(result.outputFiles.map((f) => f.path)));
  return manifest;
}

/** Outputs of earlier builds, once no running command can still be loading them. */
function removeOldOutputs(current) {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of fs.readdirSync(OUT_DIR)) {
    const file = path.join(OUT_DIR, name);
    if (name === 'manifest.json' || current.has(file)) continue;
    try {
      if (fs.statSync(file).mtimeMs < hourAgo) fs.rmSync(file);
    } catch {
      // Another build removed it first.
    }
  }
}

if (process.argv[2] === '--build-only') {
  await build();
} else {
  const manifest = freshManifest() ?? (await build());
  await import(pathToFileURL(path.join(OUT_DIR, manifest.entry)).href);
}
