import ts from 'typescript';

/**
 * SQL that only one of Warden's databases understands. A migration runs on SQLite and on PostgreSQL, so such
 * text belongs in a branch on the driver (or, better, is not raw SQL at all: the Table API with the
 * column-types helpers writes each database's own).
 */
const DRIVER_SPECIFIC: { pattern: RegExp; what: string }[] = [
  { pattern: /\b(datetime|strftime|julianday)\s*\(/i, what: "SQLite's date functions" },
  { pattern: /\bAUTOINCREMENT\b/i, what: "SQLite's AUTOINCREMENT" },
  { pattern: /\bPRAGMA\b/i, what: 'a SQLite PRAGMA' },
  { pattern: /\btemporary_\w+/i, what: "SQLite's table rebuild (temporary_ tables)" },
  { pattern: /\bsqlite_\w+/i, what: "SQLite's own tables" },
  { pattern: /\bINSERT\s+OR\s+\w+/i, what: "SQLite's INSERT OR" },
  { pattern: /(^|[\s(,=<>])\?($|[\s),])/, what: "SQLite's ? placeholders (PostgreSQL's are $1)" },
  { pattern: /\bnow\s*\(\s*\)/i, what: "PostgreSQL's now()" },
  { pattern: /\b(uuid_generate_\w+|gen_random_uuid)\b/i, what: "PostgreSQL's UUID functions" },
  { pattern: /\b(SMALL|BIG)?SERIAL\b/i, what: "PostgreSQL's SERIAL" },
  { pattern: /::\s*"?[a-z]/i, what: "PostgreSQL's :: casts" },
  { pattern: /\$\d/, what: "PostgreSQL's $1 placeholders" },
  { pattern: /\bILIKE\b/i, what: "PostgreSQL's ILIKE" },
  { pattern: /\b(timestamptz|time zone|jsonb|bytea|character varying)\b/i, what: "PostgreSQL's column types" },
  { pattern: /\bALTER\s+COLUMN\b|\b(ADD|DROP)\s+CONSTRAINT\b/i, what: 'an ALTER TABLE that SQLite lacks' },
  { pattern: /\bCREATE\s+EXTENSION\b/i, what: 'a PostgreSQL extension' },
];

/** Property names of a table of SQL per database (`{ postgres: [...], 'better-sqlite3': [...] }`). */
const DRIVER_KEYS = new Set(['postgres', 'sqlite', 'better-sqlite3']);

export interface UnportableSql {
  line: number;
  what: string;
  sql: string;
}

/** A condition that picks the database: names the driver, its type, or a database by name (`isPostgres`). */
function picksDatabase(condition: ts.Node): boolean {
  return /\bdriver\b|\.options\.type\b|postgres|sqlite/i.test(condition.getText());
}

/** True when `node` runs only on some databases: inside a branch on the driver, or a per-database table. */
function inDriverBranch(node: ts.Node): boolean {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (ts.isIfStatement(parent) && child !== parent.expression && picksDatabase(parent.expression)) return true;
    if (ts.isConditionalExpression(parent) && child !== parent.condition && picksDatabase(parent.condition)) {
      return true;
    }
    if (ts.isCaseOrDefaultClause(parent) && picksDatabase(parent.parent.parent.expression)) return true;
    if (ts.isPropertyAssignment(parent) && child === parent.initializer) {
      const key = parent.name;
      if ((ts.isIdentifier(key) || ts.isStringLiteral(key)) && DRIVER_KEYS.has(key.text)) return true;
    }
  }
  return false;
}

/** The text of a string or template literal (a template's `${...}` parts left out), else null. */
function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ');
  return null;
}

/** Every string in a migration's source that holds driver-specific SQL outside a branch on the driver. */
export function unportableSql(source: string, fileName = 'migration.ts'): UnportableSql[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: UnportableSql[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    const text = literalText(node);
    if (text !== null) {
      const match = DRIVER_SPECIFIC.find(({ pattern }) => pattern.test(text));
      if (match && !inDriverBranch(node)) {
        const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
        found.push({ line, what: match.what, sql: text.length > 100 ? `${text.slice(0, 100)}…` : text });
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
