// Helpers for the security rules tests: where the Firestore emulator is, and what its rules
// coverage report says.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The Firestore emulator that `firebase emulators:exec` started (`FIRESTORE_EMULATOR_HOST`). */
export function firestoreEmulator(): { host: string; port: number } {
  const address = process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8080';
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** A protobuf `Value` as the emulator reports it; `{}` marks an operand that was short-circuited. */
type ReportedValue = Record<string, unknown>;

/** One expression of the rules, with the values it took and how often, and its subexpressions. */
interface CoverageNode {
  sourcePosition: { line: number; column: number; currentOffset: number; endOffset: number };
  values?: { value?: ReportedValue; count: number }[];
  children?: CoverageNode[];
}

interface CoverageReport {
  rules: { files: { content: string }[] };
  report: CoverageNode[];
}

export interface Coverage {
  /** Every expression of the rules. */
  expressions: number;
  /** Those that produced a value at least once (an error or a skipped operand does not count). */
  evaluated: number;
  /** `line:column expression` of the others. */
  missed: string[];
  /** Boolean expressions, and those that were seen both true and false. */
  conditions: number;
  bothWays: number;
}

/** A real result: neither a skipped operand (`{}`) nor an error (`{undefined: {}}`). */
function isResult(value: ReportedValue | undefined): value is ReportedValue {
  return value !== undefined && Object.keys(value).some((kind) => kind !== 'undefined');
}

/**
 * Fetches the emulator's rules coverage report for a project (cumulative since the rules were
 * loaded), writes its HTML rendering to `htmlFile`, and sums up which expressions were evaluated.
 */
export async function rulesCoverage(projectId: string, htmlFile: string): Promise<Coverage> {
  const { host, port } = firestoreEmulator();
  const base = `http://${host}:${port}/emulator/v1/projects/${projectId}:ruleCoverage`;
  const [json, html] = await Promise.all(
    [base, `${base}.html`].map(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
      return response.text();
    }),
  );
  await mkdir(dirname(htmlFile), { recursive: true });
  await writeFile(htmlFile, html);

  const { rules, report } = JSON.parse(json) as CoverageReport;
  const source = rules.files[0].content;
  const coverage: Coverage = {
    expressions: 0,
    evaluated: 0,
    missed: [],
    conditions: 0,
    bothWays: 0,
  };
  const visit = (node: CoverageNode) => {
    const results = (node.values ?? []).flatMap(({ value, count }) =>
      count > 0 && isResult(value) ? [value] : [],
    );
    coverage.expressions += 1;
    if (results.length > 0) coverage.evaluated += 1;
    else {
      const { line, column, currentOffset, endOffset } = node.sourcePosition;
      const text = source.slice(currentOffset, endOffset + 1).replace(/\s+/g, ' ');
      coverage.missed.push(`${line}:${column} ${text}`);
    }
    const booleans = new Set(
      results.filter((value) => 'boolValue' in value).map((v) => v.boolValue),
    );
    if (booleans.size > 0) coverage.conditions += 1;
    if (booleans.size === 2) coverage.bothWays += 1;
    node.children?.forEach(visit);
  };
  report.forEach(visit);
  return coverage;
}
