/**
 * Builds DynamoDB update expressions with every attribute name aliased, so no attribute of ours can
 * collide with DynamoDB's long list of reserved words.
 */
export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export function updateExpression(set: Record<string, unknown>, remove: readonly string[] = []): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const setClauses: string[] = [];
  for (const [attribute, value] of Object.entries(set)) {
    if (value === undefined) continue;
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    setClauses.push(`#${attribute} = :${attribute}`);
  }
  for (const attribute of remove) names[`#${attribute}`] = attribute;
  const sections = [
    setClauses.length > 0 ? `SET ${setClauses.join(', ')}` : '',
    remove.length > 0 ? `REMOVE ${remove.map((a) => `#${a}`).join(', ')}` : '',
  ].filter(Boolean);
  return {
    UpdateExpression: sections.join(' '),
    ExpressionAttributeNames: names,
    ...(setClauses.length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/** Merges condition names/values (aliased `#name` / `:name`) into update parts. */
export function withCondition(
  parts: UpdateParts,
  condition: string,
  names: Record<string, string>,
  values: Record<string, unknown> = {},
): UpdateParts & { ConditionExpression: string } {
  const mergedValues = { ...(parts.ExpressionAttributeValues ?? {}), ...values };
  return {
    ...parts,
    ExpressionAttributeNames: { ...parts.ExpressionAttributeNames, ...names },
    ...(Object.keys(mergedValues).length > 0 ? { ExpressionAttributeValues: mergedValues } : {}),
    ConditionExpression: condition,
  };
}

export function isConditionalCheckFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
