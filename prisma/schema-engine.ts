import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as Engine from '@prisma/schema-engine-wasm' with { 'resolution-mode': 'import' };

type WasmExports = Record<string, unknown>;
type Bindings = typeof Engine & { __wbg_set_wasm(exports: WasmExports): void };

// @types/node 20 does not declare the WebAssembly global; this is the slice of it used here.
const { WebAssembly: Wasm } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: Record<string, unknown>) => { exports: WasmExports };
  };
};

let bindings: Bindings | undefined;

// The package's entry point imports the .wasm file as an ES module, which Node 20 only does behind
// --experimental-wasm-modules; instantiating it here keeps `npm start` and jest free of that flag.
function loadBindings(): Bindings {
  if (bindings) return bindings;
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = require(gluePath) as Bindings;
  const wasmPath = join(dirname(gluePath), 'schema_engine_bg.wasm');
  const module = new Wasm.Module(readFileSync(wasmPath));
  const instance = new Wasm.Instance(module, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  bindings = glue;
  return glue;
}

export type SchemaEngine = Engine.SchemaEngine;

/** Prisma's own schema engine, driven through the same driver adapter the application queries with. */
export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: { path: string; content: string },
  log: (line: string) => void = () => undefined,
): Promise<SchemaEngine> {
  const { SchemaEngine } = loadBindings();
  return SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}
