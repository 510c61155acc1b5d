// Path patterns are matched segment by segment, as tuf-js and python-tuf do: `*` never
// crosses a `/`, so a pattern matches only paths with as many segments as it has.
// Each segment is matched as minimatch (tuf-js) does for the `*` and `?` wildcards, the only
// ones the server writes: a wildcard never matches a leading `.` (so never `.`, `..` or a
// dot file) nor an empty segment. Otherwise the server would accept a target that every
// client then refuses as outside the delegation.

export function isTargetInPathPattern(path: string, pattern: string): boolean {
  const pathParts = path.split('/');
  const patternParts = pattern.split('/');
  if (pathParts.length !== patternParts.length) return false;
  return pathParts.every((part, i) => segmentMatches(part, patternParts[i]));
}

function segmentMatches(part: string, pattern: string): boolean {
  if (part === '') return pattern === '' || pattern === '**';
  if (part.startsWith('.') && !pattern.startsWith('.')) return false;
  if ((part === '.' || part === '..') && pattern !== part) return false;
  return globSegment(pattern).test(part);
}

function globSegment(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}
