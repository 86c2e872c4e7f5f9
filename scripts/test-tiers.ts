// Which test files belong to the fast tier: those that can never start another process (a
// service bundle, git, a git server, a browser, docker or podman). It is decided from the
// sources at every run, not kept in a list or a naming rule: a test that starts using a helper
// that spawns leaves the tier by itself, and one that stops doing so joins it.
//
// A file is followed the way it runs. The test file runs in full, callbacks included (describe
// and it call them). Importing a module runs its top-level statements, but a callback registered
// there (process.on('exit', …)) and a variable's value are followed only where they are used; a
// function or class runs when a reached part names it. A barrel such as @fortune-sidecar/testing
// is followed name by name: importing `tempDir` from it does not reach `startService`. Names are
// matched as text, so a local variable that shadows a module's name counts as that name: that
// can only keep a file out of the tier. What this reading lets through (a process started by
// such a callback, or by a module-level value nobody uses) the tier's guard, no-processes.mjs,
// stops with an error.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Modules that start processes: child_process and cluster, and playwright-core, which starts
 * its browser through them from code outside the workspace, which is not followed.
 */
const PROCESS_MODULES = new Set([
  'node:child_process',
  'child_process',
  'node:cluster',
  'cluster',
  'playwright-core',
]);

/** What a computed import() stands for: any module at all. */
const COMPUTED = 'import() of a computed name';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where an imported name comes from: a file of the workspace or an outside module. */
interface Origin {
  readonly module: string;
  /** The exported name, `default`, or `*` for a namespace. */
  readonly name: string;
}

interface Module {
  readonly path: string;
  readonly imports: Map<string, Origin>;
  /** Top-level names and the code that runs when they are used. */
  readonly declarations: Map<string, ts.Node[]>;
  readonly exports: Map<string, { readonly local: string } | { readonly from: Origin }>;
  readonly starExports: string[];
  /** Modules whose top level runs when this one is imported. */
  readonly loads: Set<string>;
  /** Statements that run when the module is imported. */
  readonly topLevel: ts.Node[];
  /** Module-level variables, which run when imported too but matter where they are used. */
  readonly variables: ts.Node[];
}

export interface Classification {
  readonly file: string;
  readonly unit: boolean;
  /** For a file outside the tier: the chain of names from the test to what starts a process. */
  readonly because?: string;
}

export function classify(testFiles: readonly string[]): Classification[] {
  const modules = new Map<string, Module>();
  const moduleAt = (path: string): Module => {
    let module = modules.get(path);
    if (!module) {
      module = parse(path);
      modules.set(path, module);
    }
    return module;
  };
  return testFiles.map((file) => {
    const because = processStart(resolve(file), moduleAt);
    return because === undefined ? { file, unit: true } : { file, unit: false, because };
  });
}

/** The chain from `test` to a process-starting name it may reach, or undefined if none. */
function processStart(test: string, moduleAt: (path: string) => Module): string | undefined {
  const seen = new Set<string>();
  const work: { module: string; name?: string; export?: boolean; chain: string }[] = [];
  const add = (item: (typeof work)[number]) => {
    const key = `${item.module}\0${item.export ? 'export' : 'local'}\0${item.name ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    work.push(item);
  };
  add({ module: test, chain: display(test) });
  for (let item = work.pop(); item; item = work.pop()) {
    const { chain } = item;
    if (!isWorkspaceFile(item.module)) {
      // Importing child_process starts nothing; calling what it exports does.
      if (item.name !== undefined && (PROCESS_MODULES.has(item.module) || item.module === COMPUTED))
        return chain;
      continue;
    }
    const module = moduleAt(item.module);
    const reach = (nodes: readonly ts.Node[], callbacks: boolean) => {
      for (const node of nodes) {
        for (const name of namesIn(node, module, callbacks))
          add({ module: module.path, name, chain: `${chain} → ${name}` });
      }
    };
    if (item.name === undefined) {
      for (const loaded of module.loads) add({ module: loaded, chain: `${chain} → ${display(loaded)}` });
      if (module.path === test) reach([...module.topLevel, ...module.variables], true);
      else reach(module.topLevel, false);
    } else if (item.export) {
      const names = item.name === '*' ? [...module.exports.keys()] : [item.name];
      for (const name of names) {
        const exported = module.exports.get(name);
        if (!exported) continue;
        if ('local' in exported) add({ module: module.path, name: exported.local, chain });
        else add({ module: exported.from.module, name: exported.from.name, export: true, chain });
      }
      for (const star of module.starExports) add({ module: star, name: item.name, export: true, chain });
    } else {
      const origin = module.imports.get(item.name);
      if (origin) {
        const via = `${chain} (${display(origin.module)})`;
        add({ module: origin.module, chain: via });
        add({ ...origin, export: true, chain: via });
      }
      reach(module.declarations.get(item.name) ?? [], true);
    }
  }
  return undefined;
}

function isWorkspaceFile(module: string): boolean {
  return isAbsolute(module);
}

function display(module: string): string {
  return isWorkspaceFile(module) ? relative(ROOT, module) : module;
}

/**
 * The names of module-level bindings that `node` uses when it runs, dynamic imports included,
 * and those of the functions written in it if `callbacks`.
 */
function namesIn(node: ts.Node, module: Module, callbacks: boolean): Set<string> {
  const names = new Set<string>();
  const visit = (child: ts.Node): void => {
    if (!callbacks && ts.isFunctionLike(child)) return;
    if (ts.isTypeNode(child) && !ts.isExpressionWithTypeArguments(child)) return;
    if (ts.isInterfaceDeclaration(child) || ts.isTypeAliasDeclaration(child)) return;
    if (ts.isIdentifier(child)) {
      if (module.imports.has(child.text) || module.declarations.has(child.text)) names.add(child.text);
      return;
    }
    // Only what runs: `a` of a.spawn and the value of { spawn: a }, not the property names.
    if (ts.isPropertyAccessExpression(child)) {
      visit(child.expression);
      return;
    }
    if (ts.isPropertyAssignment(child) && !ts.isComputedPropertyName(child.name)) {
      visit(child.initializer);
      return;
    }
    if (ts.isCallExpression(child) && child.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = child.arguments;
      const literal = specifier && ts.isStringLiteralLike(specifier) ? specifier.text : undefined;
      const local = `import(${literal ?? '…'})`;
      const from = literal === undefined ? COMPUTED : resolveModule(literal, module.path);
      module.imports.set(local, { module: from, name: '*' });
      names.add(local);
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return names;
}

function parse(path: string): Module {
  const module: Module = {
    path,
    imports: new Map(),
    declarations: new Map(),
    exports: new Map(),
    starExports: [],
    loads: new Set(),
    topLevel: [],
    variables: [],
  };
  if (!/\.[cm]?[jt]s$/.test(path)) return module;
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const declare = (name: string, node: ts.Node) =>
    module.declarations.set(name, [...(module.declarations.get(name) ?? []), node]);
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (node: ts.Node) =>
    ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);

  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const from = resolveModule((statement.moduleSpecifier as ts.StringLiteral).text, path);
      module.loads.add(from);
      if (clause?.name) module.imports.set(clause.name.text, { module: from, name: 'default' });
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings))
        module.imports.set(bindings.name.text, { module: from, name: '*' });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (element.isTypeOnly) continue;
          const name = (element.propertyName ?? element.name).text;
          module.imports.set(element.name.text, { module: from, name });
        }
      }
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      const specifier = statement.moduleSpecifier;
      const from = specifier && resolveModule((specifier as ts.StringLiteral).text, path);
      if (from) module.loads.add(from);
      const clause = statement.exportClause;
      if (!clause && from) module.starExports.push(from);
      else if (clause && ts.isNamespaceExport(clause) && from)
        module.exports.set(clause.name.text, { from: { module: from, name: '*' } });
      else if (clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          if (element.isTypeOnly) continue;
          const name = (element.propertyName ?? element.name).text;
          module.exports.set(element.name.text, from ? { from: { module: from, name } } : { local: name });
        }
      }
    } else if (ts.isExportAssignment(statement)) {
      declare('default', statement);
      module.exports.set('default', { local: 'default' });
      module.variables.push(statement);
    } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      const name = statement.name?.text ?? 'default';
      declare(name, statement);
      if (exported(statement)) module.exports.set(isDefault(statement) ? 'default' : name, { local: name });
      if (ts.isClassDeclaration(statement)) module.topLevel.push(...runsWithClass(statement));
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        module.variables.push(declaration);
        for (const name of boundNames(declaration.name)) {
          declare(name, declaration);
          if (exported(statement)) module.exports.set(name, { local: name });
        }
      }
    } else if (ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) {
      declare(statement.name.text, statement);
      if (exported(statement)) module.exports.set(statement.name.text, { local: statement.name.text });
      module.variables.push(statement);
    } else if (!ts.isInterfaceDeclaration(statement) && !ts.isTypeAliasDeclaration(statement)) {
      module.topLevel.push(statement);
    }
  }
  return module;
}

/** What runs when a class is defined: what it extends, its decorators and its static parts. */
function runsWithClass(node: ts.ClassDeclaration): ts.Node[] {
  const isStatic = (member: ts.ClassElement) =>
    ts.isClassStaticBlockDeclaration(member) ||
    (ts.canHaveModifiers(member) &&
      ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword));
  return [
    ...(node.heritageClauses ?? []),
    ...(ts.getDecorators(node) ?? []),
    ...node.members.filter((member) => isStatic(member) && !ts.isMethodDeclaration(member)),
  ];
}

function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) =>
    ts.isOmittedExpression(element) ? [] : boundNames(element.name),
  );
}

/** A workspace file's absolute path, or an outside module's name as imported. */
function resolveModule(specifier: string, from: string): string {
  if (specifier.startsWith('.')) {
    const path = resolve(dirname(from), specifier);
    if (!existsSync(path)) throw new Error(`${display(from)}: ${specifier} does not exist`);
    return path;
  }
  const workspace = /^@fortune-sidecar\/([^/]+)(\/.*)?$/.exec(specifier);
  if (!workspace) return specifier;
  const [, name = '', subpath = ''] = workspace;
  const folder = ['packages', 'apps'].map((parent) => join(ROOT, parent, name)).find(existsSync);
  if (!folder) throw new Error(`${display(from)}: no workspace package ${specifier}`);
  const { exports } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
    exports?: Record<string, string>;
  };
  const target = exports?.[`.${subpath}`];
  if (!target) throw new Error(`${display(from)}: ${specifier} is not exported by ${relative(ROOT, folder)}`);
  return join(folder, target);
}
