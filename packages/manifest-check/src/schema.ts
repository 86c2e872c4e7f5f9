import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1';
import {
  ConfigMap,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
  Service,
} from 'kubernetes-models/v1';
import ts from 'typescript';
import { type Manifest, type Problem, problem } from './load.ts';

interface Model {
  validate(): void;
}

/** The kinds the project's manifests use: each with its OpenAPI model and its TypeScript type. */
const KINDS: Record<string, { model: new (data: never) => Model; module: string; type: string }> = {
  'v1/Pod': { model: Pod, module: 'kubernetes-models/v1/Pod', type: 'IPod' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/PersistentVolume': {
    model: PersistentVolume,
    module: 'kubernetes-models/v1/PersistentVolume',
    type: 'IPersistentVolume',
  },
  'v1/PersistentVolumeClaim': {
    model: PersistentVolumeClaim,
    module: 'kubernetes-models/v1/PersistentVolumeClaim',
    type: 'IPersistentVolumeClaim',
  },
  'apps/v1/Deployment': {
    model: Deployment,
    module: 'kubernetes-models/apps/v1/Deployment',
    type: 'IDeployment',
  },
  'apps/v1/StatefulSet': {
    model: StatefulSet,
    module: 'kubernetes-models/apps/v1/StatefulSet',
    type: 'IStatefulSet',
  },
  'storage.k8s.io/v1/StorageClass': {
    model: StorageClass,
    module: 'kubernetes-models/storage.k8s.io/v1/StorageClass',
    type: 'IStorageClass',
  },
};

/**
 * Validates each object against the Kubernetes OpenAPI schema (types, required fields, enums),
 * then looks for fields the schema does not know. The OpenAPI schemas allow unknown fields,
 * but `kubectl apply` rejects them (strict field validation), and a misspelled field is the
 * mistake they would otherwise let through: the TypeScript types of the same models catch
 * them as excess properties.
 */
export function checkSchemas(manifests: readonly Manifest[]): { problems: Problem[]; valid: Manifest[] } {
  const problems: Problem[] = [];
  const known: Manifest[] = [];
  const valid: Manifest[] = [];
  for (const manifest of manifests) {
    const kind = KINDS[`${manifest.apiVersion}/${manifest.kind}`];
    if (!kind) {
      problems.push(
        problem(manifest, `${manifest.apiVersion} ${manifest.kind} is not a kind this check knows`),
      );
      continue;
    }
    known.push(manifest);
    try {
      new kind.model(manifest.object as never).validate();
      valid.push(manifest);
    } catch (error) {
      for (const line of schemaErrors(error)) problems.push(problem(manifest, line));
    }
  }
  return { problems: [...problems, ...unknownFields(known)], valid };
}

function schemaErrors(error: unknown): string[] {
  const details = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
  if (!details) return [String((error as Error).message ?? error)];
  return details.map((detail) => `${toFieldPath(detail.instancePath)} ${detail.message ?? 'is not valid'}`);
}

function toFieldPath(instancePath: string): string {
  const path = instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
  return path.replace(/^\./, '') || '(the object)';
}

// Excess-property diagnostics: "Object literal may only specify known properties".
const UNKNOWN_PROPERTY_CODES = new Set([2353, 2561]);
const GENERATED = join(dirname(fileURLToPath(import.meta.url)), '__manifests__.ts');
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
  // The default library of a target includes the DOM: most of what a program would parse.
  lib: ['lib.es2022.d.ts'],
  types: [],
};

const host = ts.createCompilerHost(OPTIONS);
// The declarations (the TypeScript library, kubernetes-models) are the same for every folder a
// run checks: parsed and bound once, and each program after the first starts from the one before.
const declarations = new Map<string, ts.SourceFile | undefined>();
const declaration: ts.CompilerHost['getSourceFile'] = (name, language, onError) => {
  if (!declarations.has(name)) declarations.set(name, host.getSourceFile(name, language, onError));
  return declarations.get(name);
};
let previous: ts.Program | undefined;
let built = 0;

/** How many TypeScript programs this run has built: the unknown-field check's cost. */
export function programsBuilt(): number {
  return built;
}

function programFor(source: string): ts.Program {
  built += 1;
  const generated = ts.createSourceFile(GENERATED, source, ts.ScriptTarget.ES2022, true);
  previous = ts.createProgram({
    rootNames: [GENERATED],
    options: OPTIONS,
    oldProgram: previous,
    host: {
      ...host,
      fileExists: (name) => name === GENERATED || host.fileExists(name),
      readFile: (name) => (name === GENERATED ? source : host.readFile(name)),
      getSourceFile: (name, language, onError) =>
        name === GENERATED ? generated : declaration(name, language, onError),
    },
  });
  return previous;
}

function unknownFields(manifests: readonly Manifest[]): Problem[] {
  if (manifests.length === 0) return [];
  const lines: string[] = [];
  manifests.forEach((manifest, index) => {
    const kind = KINDS[`${manifest.apiVersion}/${manifest.kind}`];
    if (!kind) return;
    lines.push(`import type { ${kind.type} as T${index} } from '${kind.module}';`);
    lines.push(`export const m${index}: T${index} = ${shapeOf(manifest.object)};`);
  });
  const program = programFor(lines.join('\n'));
  const sourceFile = program.getSourceFile(GENERATED);
  if (!sourceFile) return [];

  const checker = program.getTypeChecker();
  const problems: Problem[] = [];
  for (const diagnostic of program.getSemanticDiagnostics(sourceFile)) {
    if (!UNKNOWN_PROPERTY_CODES.has(diagnostic.code) || diagnostic.start === undefined) continue;
    const { path, index, property } = propertyAt(sourceFile, diagnostic.start);
    const manifest = manifests[index];
    if (!manifest || !property) continue;
    const known =
      checker
        .getContextualType(property.parent)
        // An optional field's type includes undefined, a union whose common properties are none.
        ?.getNonNullableType()
        .getProperties()
        .map((symbol) => symbol.name) ?? [];
    const suggestion = closest(propertyName(property, sourceFile), known);
    problems.push(
      problem(
        manifest,
        `${path} is not a field Kubernetes knows${suggestion ? `: did you mean ${suggestion}?` : ''}`,
      ),
    );
  }
  return problems;
}

function propertyName(node: ts.PropertyAssignment, sourceFile: ts.SourceFile): string {
  const name = node.name;
  return ts.isStringLiteral(name) || ts.isIdentifier(name) ? name.text : name.getText(sourceFile);
}

/** The known field most like a misspelled one: at most two edits away. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: { field: string; distance: number } | undefined;
  for (const field of known) {
    const distance = editDistance(name.toLowerCase(), field.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { field, distance };
  }
  return best?.field;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The object's shape as a TypeScript literal whose every value is `null!` (type never, which
 * fits any field): a wrong value type would hide the unknown fields next to it, and types are
 * the OpenAPI check's job.
 */
function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shapeOf).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).map(([key, field]) => `${JSON.stringify(key)}:${shapeOf(field)}`);
    return `{${fields.join(',')}}`;
  }
  return 'null!';
}

/**
 * The manifest index, the field path (spec.containers[0].name) and the property assignment at
 * `position` in the generated source.
 */
function propertyAt(
  sourceFile: ts.SourceFile,
  position: number,
): { path: string; index: number; property: ts.PropertyAssignment | undefined } {
  let index = -1;
  let property: ts.PropertyAssignment | undefined;
  const parts: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) index = Number(node.name.text.slice(1));
    if (ts.isPropertyAssignment(node)) {
      property = node;
      parts.push(propertyName(node, sourceFile));
    }
    const isArray = ts.isArrayLiteralExpression(node);
    for (const child of node.getChildren(sourceFile)) {
      if (child.kind === ts.SyntaxKind.SyntaxList) {
        let element = 0;
        for (const item of child.getChildren(sourceFile)) {
          if (item.kind === ts.SyntaxKind.CommaToken) continue;
          if (position >= item.getStart(sourceFile) && position < item.getEnd()) {
            if (isArray) parts.push(`[${element}]`);
            visit(item);
            return;
          }
          element += 1;
        }
      } else if (position >= child.getStart(sourceFile) && position < child.getEnd()) {
        visit(child);
        return;
      }
    }
  };
  visit(sourceFile);
  return { path: parts.join('.').replace(/\.\[/g, '['), index, property };
}
