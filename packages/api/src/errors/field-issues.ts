/** The parts of a zod issue an error body shows. */
export interface IssueLike {
  path: PropertyKey[];
  message: string;
}

export interface FieldIssue {
  field: string;
  message: string;
}

/** Zod issues as the error body's `details.issues`: the one place they become `{field, message}`. */
export function fieldIssues(issues: readonly IssueLike[], emptyPath = '(body)'): FieldIssue[] {
  return issues.map((issue) => ({ field: issue.path.map(String).join('.') || emptyPath, message: issue.message }));
}
